package uploader_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/uploader"
)

// putOnly takes simple uploads and keeps their bytes; it makes no request.
type putOnly struct {
	uploader.Client
	got []byte
}

func (p *putOnly) Put(_ context.Context, _ string, r io.ReaderAt, size int64, _ ...cosv2.PutOption) (*cosv2.Object, error) {
	p.got = make([]byte, size)
	_, err := r.ReadAt(p.got, 0)
	if err == io.EOF {
		err = nil
	}
	return &cosv2.Object{}, err
}

var _ = Describe("UploadReader's memory", func() {
	DescribeTable("grows with the stream instead of reserving 20 MB",
		func(size int, atMost uint64) {
			c := &putOnly{}
			body := strings.Repeat("x", size)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := uploader.UploadReader(context.Background(), c, "s.txt", strings.NewReader(body))
			runtime.ReadMemStats(&after)
			Expect(err).NotTo(HaveOccurred())
			Expect(bytes.Equal(c.got, []byte(body))).To(BeTrue())
			Expect(after.TotalAlloc - before.TotalAlloc).To(BeNumerically("<", atMost))
		},
		Entry("4 bytes: well under 1 MB", 4, uint64(1<<20)),
		Entry("1 MB: a few times its size (growth and the stub's copy), far from 20 MB", 1<<20, uint64(8<<20)),
	)
})
