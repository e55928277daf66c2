package cosv2_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("Download", func() {
	var (
		c   *cosv2.Client
		ctx = context.Background()
	)
	BeforeEach(func() {
		c = newClient(newServer().URL)
		_, err := c.Put(ctx, "r.txt", strings.NewReader("0123456789"), 10)
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("writes the bytes of a range, clipped to the object",
		func(r cosv2.ReadOption, want string) {
			var got bytes.Buffer
			n, err := c.Download(ctx, "r.txt", &got, r)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.String()).To(Equal(want))
			Expect(n).To(BeEquivalentTo(len(want)))
		},
		Entry("the whole object", nil, "0123456789"),
		Entry("a middle range", cosv2.WithRange(2, 3), "234"),
		Entry("to the end (Length < 0)", cosv2.WithRange(2, -1), "23456789"),
		Entry("a length past the end", cosv2.WithRange(2, 100), "23456789"),
		Entry("a length whose end overflows int64", cosv2.WithRange(2, math.MaxInt64), "23456789"),
		Entry("an empty range at the end", cosv2.WithRange(10, 5), ""),
	)
})

// cutOnce passes requests to the real transport; the body of the first
// download GET breaks after keep bytes, and before it breaks, meanwhile runs.
type cutOnce struct {
	mu        sync.Mutex
	keep      int
	meanwhile func()
	cut       bool
	gets      []*http.Request
}

func (c *cutOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || strings.HasPrefix(r.URL.Path, "/files/v2/") {
		return resp, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets = append(c.gets, r)
	if !c.cut {
		c.cut = true
		resp.Body = &breaking{ReadCloser: resp.Body, left: c.keep, before: c.meanwhile}
	}
	return resp, nil
}

func (c *cutOnce) requests() []*http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.gets)
}

// breaking yields left bytes, then runs before and fails as a reset connection.
type breaking struct {
	io.ReadCloser
	left   int
	before func()
}

func (b *breaking) Read(p []byte) (int, error) {
	if b.left == 0 {
		if b.before != nil {
			b.before()
			b.before = nil
		}
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	}
	n, err := b.ReadCloser.Read(p[:min(len(p), b.left)])
	b.left -= n
	return n, err
}

var _ = Describe("Download over a flaky network", func() {
	var (
		url string
		ctx = context.Background()
	)
	BeforeEach(func() { url = newServer().URL })

	It("resumes a broken transfer where it stopped, byte-exact", func() {
		c := newClient(url)
		_, err := c.Put(ctx, "v.txt", strings.NewReader("0123456789"), 10)
		Expect(err).NotTo(HaveOccurred())
		cut := &cutOnce{keep: 3}
		var got bytes.Buffer
		n, err := newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: cut})).Download(ctx, "v.txt", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeEquivalentTo(10))
		Expect(got.String()).To(Equal("0123456789"))
		gets := cut.requests()
		Expect(gets).To(HaveLen(2))
		Expect(gets[1].Header.Get("Range")).To(Equal("bytes=3-9"))
	})

	It("never mixes two versions: a resumed range is pinned to the version it started on", func() {
		c := newClient(url)
		_, err := c.Put(ctx, "v.txt", strings.NewReader("0123456789"), 10)
		Expect(err).NotTo(HaveOccurred())
		cut := &cutOnce{keep: 3, meanwhile: func() {
			_, err := c.Put(ctx, "v.txt", strings.NewReader("abcdefghij"), 10, cosv2.WithOverwrite())
			Expect(err).NotTo(HaveOccurred())
		}}
		var got bytes.Buffer
		_, err = newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: cut})).Download(ctx, "v.txt", &got)
		Expect(err).To(MatchError(cosv2.ErrObjectChanged))
		Expect(got.String()).To(Equal("012"))
		gets := cut.requests()
		Expect(gets).To(HaveLen(2))
		Expect(gets[1].Header.Get("If-Match")).NotTo(BeEmpty())
	})

	It("refuses a version other than the one a stat described (WithFileInfo)", func() {
		c := newClient(url)
		_, err := c.Put(ctx, "v.txt", strings.NewReader("0123456789"), 10)
		Expect(err).NotTo(HaveOccurred())
		st, err := c.Stat(ctx, "v.txt")
		Expect(err).NotTo(HaveOccurred())
		_, err = c.Put(ctx, "v.txt", strings.NewReader("abcdefghij"), 10, cosv2.WithOverwrite())
		Expect(err).NotTo(HaveOccurred())
		var got bytes.Buffer
		_, err = c.Download(ctx, "v.txt", &got, cosv2.WithFileInfo(st), cosv2.WithRange(5, 5))
		Expect(err).To(MatchError(cosv2.ErrObjectChanged))
		Expect(got.Len()).To(BeZero())
	})

	It("does not repeat a GET answered 404", func() {
		c := newClient(url)
		_, err := c.Put(ctx, "v.txt", strings.NewReader("0123456789"), 10)
		Expect(err).NotTo(HaveOccurred())
		var gets atomic.Int32
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			if strings.HasPrefix(r.URL.Path, "/files/v2/") {
				return http.DefaultTransport.RoundTrip(r)
			}
			gets.Add(1)
			return status(404, `{"code":-197,"message":"no such object"}`)()
		})
		_, err = newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: tr})).Download(ctx, "v.txt", io.Discard)
		Expect(err).To(MatchError(cosv2.ErrFileNotExist))
		Expect(gets.Load()).To(BeEquivalentTo(1))
	})

	It("signs every download with a multi-use signature bound to the file's path", func() {
		c := newClient(url)
		Expect(c.MakeDir(ctx, "a b/")).To(Succeed())
		_, err := c.Put(ctx, "a b/照片.txt", strings.NewReader("0123456789"), 10)
		Expect(err).NotTo(HaveOccurred())
		v := &signer.Verifier{Keys: signer.Keys{secretID: secretKey}}
		var checked atomic.Int32
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			if !strings.HasPrefix(r.URL.Path, "/files/v2/") {
				defer GinkgoRecover()
				Expect(v.Verify(r.Header.Get("Authorization"), signer.Expectation{AppID: appID, Bucket: bucket,
					FileID: signer.DownloadFileID(appID, bucket, "/a b/照片.txt"), Kind: signer.Multi})).To(Succeed())
				Expect(r.Header.Get("Authorization")).NotTo(BeEmpty())
				checked.Add(1)
			}
			return http.DefaultTransport.RoundTrip(r)
		})
		var got bytes.Buffer
		_, err = newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: tr})).Download(ctx, "a b/照片.txt", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.String()).To(Equal("0123456789"))
		Expect(checked.Load()).To(BeEquivalentTo(1))
	})
})
