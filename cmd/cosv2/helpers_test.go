package main

import (
	"bytes"
	"context"
	"sync"

	. "github.com/onsi/ginkgo/v2"

	"github.com/cosv2/cosv2/costest"
)

// local is an in-memory COS v2 server and a way to run the command line,
// in this process, against it.
type local struct {
	*costest.Server
}

func newLocal() local { return local{costest.New(GinkgoTB())} }

// run runs cosv2 with the server's settings and returns its status and
// output.
func (l local) run(args ...string) (int, string, string) {
	var out, errOut lockedBuffer
	all := append([]string{"cosv2", "--endpoint", l.URL, "--appid", l.AppID, "--bucket", l.Buckets[0],
		"--secret-id", l.Credentials.SecretID, "--secret-key", l.Credentials.SecretKey}, args...)
	code := run(context.Background(), all, &out, &errOut)
	return code, out.String(), errOut.String()
}

// lockedBuffer is a bytes.Buffer that the files of a batch may write to at
// once, as they write to os.Stdout and os.Stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
