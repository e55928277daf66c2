package uploader_test

import (
	"bytes"
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

var _ = Describe("a resumed upload", func() {
	size := int64(cosv2.MaxSimpleUpload + 8*slice)
	total := int((size + slice - 1) / slice)

	interrupt := func(c *cosv2.Client, b []byte, after int64) {
		killed := &counting{Client: c, stopAt: after}
		_, err := uploader.Upload(context.Background(), killed, "r.bin", bytes.NewReader(b), size,
			uploader.WithSliceSize(slice), uploader.WithConcurrency(1))
		Expect(err).To(HaveOccurred())
	}

	It("reports the slices stored before once, first, apart from those it sends", func() {
		c := newClient()
		b := data(size, 31)
		interrupt(c, b, 10)
		var seen []uploader.Progress
		_, err := uploader.Upload(context.Background(), c, "r.bin", bytes.NewReader(b), size, uploader.WithSliceSize(slice),
			uploader.WithProgress(func(p uploader.Progress) { seen = append(seen, p) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(seen[0].SlicesResumed).To(Equal(10))
		Expect(seen[0].SlicesDone).To(Equal(10))
		Expect(seen[0].BytesResumed).To(Equal(10 * slice))
		Expect(seen).To(HaveLen(1 + total - 10))
		last := seen[len(seen)-1]
		Expect(last.SlicesDone).To(Equal(total))
		Expect(last.BytesDone - last.BytesResumed).To(Equal(size - 10*slice))
	})

	It("says what to do when the file changed since, and uploads once the server discarded the old upload", func() {
		c := newClient()
		interrupt(c, data(size, 32), 5)
		changed := data(size, 33)
		_, err := uploader.Upload(context.Background(), c, "r.bin", bytes.NewReader(changed), size, uploader.WithSliceSize(slice))
		Expect(err).To(MatchError(uploader.ErrMismatch))
		Expect(err).To(MatchError(cosv2.ErrSHANotEqual))
		Expect(err.Error()).To(ContainSubstring("rm --incomplete"))
		Expect(err.Error()).To(ContainSubstring("wait until it expires"))
		Expect(err.Error()).To(ContainSubstring("upload the original bytes"))

		// cosv2 serve's extension: delete of a path with only an unfinished upload discards it.
		Expect(c.Remove(context.Background(), "r.bin")).To(Succeed())
		_, err = uploader.Upload(context.Background(), c, "r.bin", bytes.NewReader(changed), size, uploader.WithSliceSize(slice))
		Expect(err).NotTo(HaveOccurred())
		Expect(download(c, "r.bin")).To(Equal(changed))
		Expect(c.Remove(context.Background(), "r.bin")).To(Succeed())
		Expect(c.Remove(context.Background(), "r.bin")).To(MatchError(cosv2.ErrFileNotExist))
	})
})

var _ = Describe("a quick upload", func() {
	// The service has the bytes already (a file of the same SHA-1 and size):
	// the init answers with the file, and nothing is sent. A progress bar
	// still ends full, the bytes counted as resumed since none went out.
	It("reports its whole size done, as resumed", func() {
		c := newClient()
		ctx := context.Background()
		b := data(cosv2.MaxSimpleUpload+3<<20, 41)
		_, err := uploader.Upload(ctx, c, "first.bin", bytes.NewReader(b), int64(len(b)))
		Expect(err).NotTo(HaveOccurred())

		var last uploader.Progress
		calls := 0
		obj, err := uploader.Upload(ctx, c, "second.bin", bytes.NewReader(b), int64(len(b)), uploader.WithUploadParts(),
			uploader.WithProgress(func(p uploader.Progress) { last, calls = p, calls+1 }))
		Expect(err).NotTo(HaveOccurred())
		Expect(obj).NotTo(BeNil())
		Expect(calls).To(Equal(1))
		Expect(last.BytesDone).To(Equal(int64(len(b))))
		Expect(last.BytesTotal).To(Equal(int64(len(b))))
		Expect(last.BytesResumed).To(Equal(int64(len(b))))
		Expect(last.SlicesDone).To(Equal(last.SlicesTotal))
		Expect(last.SlicesResumed).To(Equal(last.SlicesTotal))
		Expect(download(c, "second.bin")).To(Equal(b))
	})
})
