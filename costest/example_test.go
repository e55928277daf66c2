package costest_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/costest"
	"github.com/cosv2/cosv2/uploader"
)

// storeReport is the code under test: it stores a report once.
func storeReport(ctx context.Context, c *cosv2.Client, name, body string) error {
	_, err := c.Put(ctx, "reports/"+name, strings.NewReader(body), int64(len(body)))
	if errors.Is(err, cosv2.ErrFileExist) {
		return nil // stored before
	}
	return err
}

// A test of code that stores files, against a server in memory; t is the
// test's *testing.T. (The example is compiled, not run: it needs a test.)
func ExampleNew() {
	var t *testing.T // the test's
	ctx := context.Background()

	srv := costest.New(t, costest.WithBuckets("reports"))
	if err := srv.Client.MakeDir(ctx, "reports/"); err != nil {
		t.Fatal(err)
	}
	if err := storeReport(ctx, srv.Client, "q4.txt", "ok"); err != nil {
		t.Fatal(err)
	}
	if err := storeReport(ctx, srv.Client, "q4.txt", "ok"); err != nil {
		t.Fatalf("a second store should be a no-op: %v", err)
	}
}

// The same code against a flaky service: the second slice is refused as too
// frequent and the finish's answer is lost on the way back. The upload still
// succeeds, through the client's retries and its check of the stored file.
func ExampleFailSlice() {
	var t *testing.T // the test's
	ctx := context.Background()

	srv := costest.New(t, costest.FailSlice(2, cosv2.ErrFreqControl), costest.DropAnswer(costest.OpSliceFinish, 1))
	big := bytes.Repeat([]byte("x"), cosv2.MaxSimpleUpload+1)
	if _, err := uploader.Upload(ctx, srv.Client, "big.bin", bytes.NewReader(big), int64(len(big))); err != nil {
		t.Fatal(err)
	}
	if srv.Injected() != 2 {
		t.Fatalf("injected %d faults, want 2", srv.Injected())
	}
}
