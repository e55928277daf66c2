package uploader_test

import (
	"bytes"
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

var _ = Describe("an unfinished upload an official SDK started with uploadparts", func() {
	size := int64(cosv2.MaxSimpleUpload + 3*slice)

	// started inits an upload of a as the Python and Java SDKs do (sha and
	// every slice's running state), and stores its first stored slices.
	started := func(c *cosv2.Client, a []byte, stored int) {
		sha, parts, err := uploader.RunningSHA1States(bytes.NewReader(a), size, slice)
		Expect(err).NotTo(HaveOccurred())
		sess, err := c.SliceInit(context.Background(), "sdk.bin", size, slice, cosv2.SliceInitOptions{SHA1: sha, Parts: parts})
		Expect(err).NotTo(HaveOccurred())
		for i := range stored {
			off := int64(i) * slice
			Expect(c.SliceData(context.Background(), "sdk.bin", sess.Session, off, bytes.NewReader(a), min(slice, size-off))).To(Succeed())
		}
	}

	DescribeTable("of other bytes is an ErrMismatch that says what to do, not a bare SHA-1 error",
		func(stored int, changedAt int64) {
			c := newClient()
			a := data(size, 61)
			started(c, a, stored)
			b := bytes.Clone(a)
			b[changedAt] ^= 0xff
			_, err := uploader.Upload(context.Background(), c, "sdk.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice))
			Expect(err).To(MatchError(uploader.ErrMismatch))
			Expect(err).To(MatchError(cosv2.ErrNotSameSHA))
			Expect(err.Error()).To(HaveSuffix(uploader.MismatchAdvice))
		},
		Entry("nothing stored yet", 0, int64(0)),
		Entry("the stored slices are these bytes, a later one is not", 2, size-1),
	)
})
