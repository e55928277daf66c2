package cosv2_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

// firstEntry lists /d/ and returns the first error.
func firstEntry(c *cosv2.Client) error {
	for _, err := range c.List(context.Background(), "/d/") {
		if err != nil {
			return err
		}
	}
	return nil
}

var _ = Describe("answers that say success but break the spec", func() {
	DescribeTable("are ErrBadAnswer, sent once",
		func(body string, call func(*cosv2.Client) error) {
			var sent atomic.Int32
			tr := transportFunc(func(r *http.Request) (*http.Response, error) {
				sent.Add(1)
				if r.Body != nil {
					_, _ = io.Copy(io.Discard, r.Body)
				}
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
			})
			c := newClient("http://local", cosv2.WithHTTPClient(&http.Client{Transport: tr}))
			Expect(call(c)).To(MatchError(cosv2.ErrBadAnswer))
			Expect(sent.Load()).To(BeEquivalentTo(1))
		},
		Entry("a field of the wrong type", `{"code":0,"message":"SUCCESS","data":{"filesize":"big"}}`,
			func(c *cosv2.Client) error { _, err := c.Stat(context.Background(), "/f"); return err }),
		Entry("an init's slice size of 0", `{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":0}}`,
			func(c *cosv2.Client) error {
				_, err := c.SliceInit(context.Background(), "/f", 1<<30, cosv2.SliceSize1M, cosv2.SliceInitOptions{})
				return err
			}),
		Entry("a listing of a slice that is not one of the file's",
			`{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":1048576,"filesize":3145728,"listparts":[{"offset":1,"datalen":1048576}]}}`,
			func(c *cosv2.Client) error { _, err := c.SliceList(context.Background(), "/f"); return err }),
		Entry("a directory entry of a negative size",
			`{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"a","filesize":-5}],"listover":true}}`, firstEntry),
		Entry("a name that climbs out of the directory", `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"../x"}],"listover":true}}`, firstEntry),
		Entry("a name of two names", `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"a/b"}],"listover":true}}`, firstEntry),
		Entry("a name that is the directory above", `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"../"}],"listover":true}}`, firstEntry),
		Entry("an empty name", `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":""}],"listover":true}}`, firstEntry),
		Entry("a name with a terminal escape", `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"x\u001b]0;t\u0007"}],"listover":true}}`, firstEntry),
		Entry("a name with a backslash", `{"code":0,"message":"SUCCESS","data":{"infos":[{"name":"a\\b"}],"listover":true}}`, firstEntry),
		Entry("a listing of a negative size",
			`{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":1048576,"filesize":-1}}`,
			func(c *cosv2.Client) error { _, err := c.SliceList(context.Background(), "/f"); return err }),
	)
})

var _ = Describe("an interruption while waiting to try again", func() {
	// Every answer is a 503 asking to wait; the caller's context ends as the
	// first one arrives, while the client waits to send the next attempt.
	busy := func(cancel context.CancelFunc) *cosv2.Client {
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			cancel()
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"30"}},
				Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		})
		return newClient("http://local", cosv2.WithHTTPClient(&http.Client{Transport: tr}),
			cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: time.Minute}))
	}

	DescribeTable("is context.Canceled, with the last answer after it",
		func(call func(context.Context, *cosv2.Client) error) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := call(ctx, busy(cancel))
			Expect(err).To(MatchError(context.Canceled))
			var api *cosv2.APIError
			Expect(errors.As(err, &api)).To(BeTrue())
			Expect(api.HTTPStatus).To(Equal(http.StatusServiceUnavailable))
		},
		Entry("an API call", func(ctx context.Context, c *cosv2.Client) error { _, err := c.Stat(ctx, "/f"); return err }),
		Entry("a download", func(ctx context.Context, c *cosv2.Client) error {
			r, err := c.NewReader(ctx, "/f", cosv2.WithFileInfo(&cosv2.FileInfo{Size: 10, SourceURL: "http://local/src"}))
			Expect(err).NotTo(HaveOccurred())
			_, err = io.ReadAll(r)
			return err
		}),
	)
})
