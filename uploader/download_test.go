package uploader_test

import (
	"bytes"
	"context"
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/uploader"
)

var _ = Describe("Download's progress", func() {
	It("counts one chunk for a chunk size past the object, even math.MaxInt64", func() {
		c := newClient()
		b := data(10, 41)
		_, err := uploader.Upload(context.Background(), c, "one.bin", bytes.NewReader(b), int64(len(b)))
		Expect(err).NotTo(HaveOccurred())
		dst := make([]byte, len(b))
		var last uploader.Progress
		n, err := uploader.Download(context.Background(), c, "one.bin", writerAt(dst), uploader.WithChunkSize(math.MaxInt64),
			uploader.WithProgress(func(p uploader.Progress) { last = p }))
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeEquivalentTo(10))
		Expect(dst).To(Equal(b))
		Expect(last).To(Equal(uploader.Progress{BytesDone: 10, BytesTotal: 10, SlicesDone: 1, SlicesTotal: 1}))
	})

	It("reports an empty object complete, once", func() {
		c := newClient()
		_, err := uploader.Upload(context.Background(), c, "empty.bin", bytes.NewReader(nil), 0)
		Expect(err).NotTo(HaveOccurred())
		var calls []uploader.Progress
		n, err := uploader.Download(context.Background(), c, "empty.bin", writerAt(nil),
			uploader.WithProgress(func(p uploader.Progress) { calls = append(calls, p) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeZero())
		Expect(calls).To(Equal([]uploader.Progress{{}}), "BytesDone = BytesTotal = 0: done")
	})
})
