package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// cancelOnLine is a stdout that calls cancel once the first line is written
// to it: a Ctrl-C after the first file of a batch is done.
type cancelOnLine struct {
	lockedBuffer
	once   sync.Once
	cancel context.CancelFunc
}

func (w *cancelOnLine) Write(p []byte) (int, error) {
	n, err := w.lockedBuffer.Write(p)
	if bytes.Contains(p, []byte("\n")) {
		w.once.Do(w.cancel)
	}
	return n, err
}

var _ = Describe("a tree copy into a new directory, interrupted", func() {
	var (
		l   local
		dir string
	)
	// interrupted runs the command with --jobs 1 until its first file is
	// done, and returns the command its message says finishes the copy.
	interrupted := func(args ...string) []string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		out := &cancelOnLine{cancel: cancel}
		var errOut lockedBuffer
		all := append([]string{"cosv2", "--endpoint", l.URL, "--appid", l.AppID, "--bucket", l.Buckets[0],
			"--secret-id", l.Credentials.SecretID, "--secret-key", l.Credentials.SecretKey}, args[0], "--jobs", "1")
		all = append(all, args[1:]...)
		code := run(ctx, all, out, &errOut)
		Expect(code).To(Equal(130), errOut.String())
		Expect(errOut.String()).To(MatchRegexp(`interrupted: \w+: \d+ files? \(.*\) done`))
		m := regexp.MustCompile("`cosv2 ([^`]+)`").FindStringSubmatch(errOut.String())
		Expect(m).NotTo(BeNil(), "a command that finishes the copy: %s", errOut.String())
		return strings.Fields(strings.ReplaceAll(m[1], "'", ""))
	}
	BeforeEach(func() {
		l = newLocal()
		dir = GinkgoT().TempDir()
		for _, n := range []string{"a.txt", "b.txt", "c.txt", "sub/d.txt"} {
			write(filepath.Join(dir, "tree", filepath.FromSlash(n)), []byte(n))
		}
	})
	stat := func(p string) error { _, err := l.Client.Stat(context.Background(), p); return err }

	It("put -r: names the command that sends the rest into it, not a copy under it", func() {
		finish := interrupted("put", "-r", filepath.Join(dir, "tree"), "up/")
		code, _, errOut := l.run(finish...)
		Expect(code).To(Equal(0), errOut)
		for _, p := range []string{"up/a.txt", "up/b.txt", "up/c.txt", "up/sub/d.txt"} {
			Expect(stat(p)).To(Succeed(), p)
		}
		Expect(stat("up/tree/a.txt")).NotTo(Succeed())
	})

	It("get -r: names the command that fetches the rest into it", func() {
		code, _, errOut := l.run("put", "-r", filepath.Join(dir, "tree"), "src/")
		Expect(code).To(Equal(0), errOut)
		back := filepath.Join(dir, "back")
		finish := interrupted("get", "-r", "src/", back)
		code, _, errOut = l.run(finish...)
		Expect(code).To(Equal(0), errOut)
		for _, p := range []string{"a.txt", "b.txt", "c.txt", "sub/d.txt"} {
			Expect(filepath.Join(back, filepath.FromSlash(p))).To(BeARegularFile())
		}
		_, err := os.Stat(filepath.Join(back, "src"))
		Expect(os.IsNotExist(err)).To(BeTrue(), "no copy under it")
	})

	It("cp -r: names the command that copies the rest into it", func() {
		code, _, errOut := l.run("put", "-r", filepath.Join(dir, "tree"), "src/")
		Expect(code).To(Equal(0), errOut)
		finish := interrupted("cp", "-r", "src/", "dst/")
		code, _, errOut = l.run(finish...)
		Expect(code).To(Equal(0), errOut)
		for _, p := range []string{"dst/a.txt", "dst/b.txt", "dst/c.txt", "dst/sub/d.txt"} {
			Expect(stat(p)).To(Succeed(), p)
		}
		Expect(stat("dst/src/a.txt")).NotTo(Succeed())
	})
})
