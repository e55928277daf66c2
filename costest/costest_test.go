package costest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gleak"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/costest"
	"github.com/cosv2/cosv2/uploader"
)

func data(n int64) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(b)
	return b
}

// cleanups is a testing.TB that keeps its cleanups for the test to run.
type cleanups struct {
	testing.TB
	fns []func()
}

func (c *cleanups) Cleanup(f func()) { c.fns = append(c.fns, f) }

var _ = Describe("New", func() {
	ctx := context.Background()

	It("gives a running server and a client that uploads, lists and downloads", func() {
		srv := costest.New(GinkgoTB())
		Expect(srv.Client.MakeDir(ctx, "docs/")).To(Succeed())
		_, err := srv.Client.Put(ctx, "docs/a.txt", strings.NewReader("hello"), 5)
		Expect(err).NotTo(HaveOccurred())
		var names []string
		for e, err := range srv.Client.List(ctx, "docs/") {
			Expect(err).NotTo(HaveOccurred())
			names = append(names, e.Name)
		}
		Expect(names).To(Equal([]string{"a.txt"}))
		// Downloads follow the answers' source_url, which needs the server's
		// own URL: a bare httptest.NewServer(server) got it wrong.
		var got bytes.Buffer
		_, err = srv.Client.Download(ctx, "docs/a.txt", &got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.String()).To(Equal("hello"))
	})

	It("holds the buckets and accepts the credentials it is given, and no others", func() {
		creds := cosv2.Credentials{SecretID: "AKIDmine", SecretKey: "my-key"}
		srv := costest.New(GinkgoTB(), costest.WithAppID("1300000000"), costest.WithBuckets("a", "b"), costest.WithCredentials(creds))
		Expect(srv.Client.Bucket()).To(Equal("a"))
		b := srv.NewClient("b")
		_, err := b.Put(ctx, "x.txt", strings.NewReader("x"), 1)
		Expect(err).NotTo(HaveOccurred())
		_, err = srv.Client.Stat(ctx, "x.txt")
		Expect(cosv2.IsNotExist(err)).To(BeTrue())

		other, err := cosv2.New(srv.AppID, "a", cosv2.Credentials{SecretID: "AKIDmine", SecretKey: "wrong"},
			cosv2.WithEndpoint(srv.URL), cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 1}))
		Expect(err).NotTo(HaveOccurred())
		_, err = other.Stat(ctx, "x.txt")
		var api *cosv2.APIError
		Expect(errors.As(err, &api)).To(BeTrue())
		Expect(api.Code).To(BeNumerically("<", 0))
	})

	It("stops the server through the test's cleanup", func() {
		tb := &cleanups{TB: GinkgoTB()}
		srv := costest.New(tb)
		_, err := srv.Client.Stat(ctx, "none")
		Expect(cosv2.IsNotExist(err)).To(BeTrue())
		Expect(tb.fns).NotTo(BeEmpty())
		for _, f := range tb.fns {
			f()
		}
		_, err = http.Get(srv.URL)
		Expect(err).To(HaveOccurred())
	})
})

var _ = Describe("faults", func() {
	ctx := context.Background()
	size := int64(cosv2.MaxSimpleUpload + 4*cosv2.SliceSize512K)

	It("fails the nth slice with a retryable code, which the client's retries get past", func() {
		srv := costest.New(GinkgoTB(), costest.FailSlice(2, cosv2.ErrFreqControl), costest.FailSlice(3, cosv2.ErrFreqControl))
		b := data(size)
		_, err := uploader.Upload(ctx, srv.Client, "big.bin", bytes.NewReader(b), size, uploader.WithSliceSize(cosv2.SliceSize512K))
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Injected()).To(Equal(2))
	})

	It("fails the nth slice with a final code: the upload fails with the slice named", func() {
		srv := costest.New(GinkgoTB(), costest.FailSlice(1, cosv2.ErrFileSizeNotEqual))
		_, err := uploader.Upload(ctx, srv.Client, "big.bin", bytes.NewReader(data(size)), size,
			uploader.WithSliceSize(cosv2.SliceSize512K), uploader.WithConcurrency(1))
		Expect(err).To(MatchError(cosv2.ErrFileSizeNotEqual))
		var ue *uploader.UploadError
		Expect(errors.As(err, &ue)).To(BeTrue())
		Expect(ue.Offset).To(BeZero())
	})

	DescribeTable("drops the answer to a request the server carried out",
		func(op string) {
			srv := costest.New(GinkgoTB(), costest.DropAnswer(op, 1))
			b := data(size)
			_, err := uploader.Upload(ctx, srv.Client, "big.bin", bytes.NewReader(b), size, uploader.WithSliceSize(cosv2.SliceSize512K))
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.Injected()).To(Equal(1))
			var got bytes.Buffer
			_, err = srv.Client.Download(ctx, "big.bin", &got)
			Expect(err).NotTo(HaveOccurred())
			Expect(bytes.Equal(got.Bytes(), b)).To(BeTrue())
		},
		Entry("of the slice init", costest.OpSliceInit),
		Entry("of a slice", costest.OpSliceData),
		Entry("of the finish", costest.OpSliceFinish),
	)

	It("drops the answer to a quick upload: the repeated init finds the file, which stat shows is these bytes", func() {
		srv := costest.New(GinkgoTB(), costest.DropAnswer(costest.OpSliceInit, 2))
		b := data(size)
		_, err := uploader.Upload(ctx, srv.Client, "one.bin", bytes.NewReader(b), size, uploader.WithSliceSize(cosv2.SliceSize512K))
		Expect(err).NotTo(HaveOccurred())
		// The server has these bytes: with uploadparts the init is answered at
		// once, and that answer is lost.
		obj, err := uploader.Upload(ctx, srv.Client, "two.bin", bytes.NewReader(b), size,
			uploader.WithSliceSize(cosv2.SliceSize512K), uploader.WithUploadParts())
		Expect(err).NotTo(HaveOccurred())
		Expect(obj.SourceURL).To(ContainSubstring("two.bin"))
		Expect(srv.Injected()).To(Equal(1))
	})

	It("drops a GET's answer on a reused connection where the client sees it, not net/http's silent resend", func() {
		srv := costest.New(GinkgoTB(), costest.DropAnswer(costest.OpStat, 1))
		c := srv.NewClient(costest.DefaultBucket, cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 1}))
		_, err := c.Put(ctx, "a.txt", strings.NewReader("a"), 1) // the connection the stat reuses
		Expect(err).NotTo(HaveOccurred())
		_, err = c.Stat(ctx, "a.txt")
		Expect(err).To(MatchError(io.ErrUnexpectedEOF), "the lost answer never reached the client")
		Expect(srv.Injected()).To(Equal(1))
	})

	It("drops a stat's answer (a GET): the client asks again", func() {
		srv := costest.New(GinkgoTB(), costest.DropAnswer(costest.OpStat, 1))
		_, err := srv.Client.Put(ctx, "a.txt", strings.NewReader("a"), 1)
		Expect(err).NotTo(HaveOccurred())
		st, err := srv.Client.Stat(ctx, "a.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Size).To(BeEquivalentTo(1))
		Expect(srv.Injected()).To(Equal(1))
	})
})

var _ = Describe("cleanup", func() {
	It("leaves no goroutine of the server behind (its collector, its database)", func() {
		before := gleak.Goroutines()
		tb := &cleanups{TB: GinkgoTB()}
		srv := costest.New(tb)
		_, err := srv.Client.Put(context.Background(), "a.txt", strings.NewReader("a"), 1)
		Expect(err).NotTo(HaveOccurred())
		for i := len(tb.fns) - 1; i >= 0; i-- {
			tb.fns[i]()
		}
		Eventually(gleak.Goroutines).ShouldNot(gleak.HaveLeaked(before))
	})
})
