package cosv2_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

// endless is a body of n bytes of "a" that counts what was read of it.
type endless struct {
	n    int64
	read atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	left := e.n - e.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), left))
	for i := range k {
		p[i] = 'a'
	}
	e.read.Add(int64(k))
	return k, nil
}

func (e *endless) Close() error { return nil }

var _ = Describe("answers over the size limit", func() {
	DescribeTable("are refused after MaxResponseBytes, not read whole, and not retried",
		func(status int) {
			body := &endless{n: 64 << 20}
			var calls atomic.Int32
			tr := transportFunc(func(r *http.Request) (*http.Response, error) {
				calls.Add(1)
				return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, nil
			})
			c := newClient("http://127.0.0.1:1", cosv2.WithHTTPClient(&http.Client{Transport: tr}))
			_, err := c.Stat(context.Background(), "f.txt")
			Expect(err).To(MatchError(cosv2.ErrResponseTooLarge))
			Expect(body.read.Load()).To(BeNumerically("<=", cosv2.MaxResponseBytes+1))
			Expect(calls.Load()).To(BeEquivalentTo(1))
		},
		Entry("a success", http.StatusOK),
		Entry("an error", http.StatusInternalServerError),
	)
})

var _ = Describe("a slice listing", func() {
	// listing answers a slice list of n stored 512 KB slices, each with a
	// datasha, as a server lists an upload that declared uploadparts.
	listing := func(n int) []byte {
		const slice = 512 << 10
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"code":0,"message":"SUCCESS","data":{"session":"s","slice_size":%d,"filesize":%d,"listparts":[`, slice, int64(n)*slice)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"offset":%d,"datalen":%d,"datasha":"%040x"}`, int64(i)*slice, slice, i)
		}
		b.WriteString(`]}}`)
		return b.Bytes()
	}

	It("of an upload too large for MaxResponseBytes is read, so the upload can be resumed", func() {
		body := listing(60000) // a 30 GB file
		Expect(len(body)).To(BeNumerically(">", cosv2.MaxResponseBytes))
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body))}, nil
		})
		c := newClient("http://127.0.0.1:1", cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		sess, err := c.SliceList(context.Background(), "big.bin")
		Expect(err).NotTo(HaveOccurred())
		Expect(sess.Parts).To(HaveLen(60000))
	})

	It("is refused after MaxSliceListBytes, not read whole", func() {
		body := &endless{n: cosv2.MaxSliceListBytes + 8<<20}
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, nil
		})
		c := newClient("http://127.0.0.1:1", cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		_, err := c.SliceList(context.Background(), "big.bin")
		Expect(err).To(MatchError(cosv2.ErrResponseTooLarge))
		Expect(body.read.Load()).To(BeNumerically("<=", cosv2.MaxSliceListBytes+1))
	})
})
