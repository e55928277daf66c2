package uploader_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/internal/rules"
	"github.com/cosv2/cosv2/uploader"
)

var _ = Describe("RunningSHA1States", func() {
	DescribeTable("ends with the real SHA-1 of the file, one state per slice",
		func(size, slice int64) {
			b := data(size, uint64(size))
			whole, parts, err := uploader.RunningSHA1States(bytes.NewReader(b), size, slice)
			Expect(err).NotTo(HaveOccurred())
			sum := sha1.Sum(b)
			Expect(whole).To(Equal(hex.EncodeToString(sum[:])))
			Expect(parts).To(HaveLen(int((size + slice - 1) / slice)))
			Expect(parts[len(parts)-1].DataSHA).To(Equal(whole)) // the last entry is the real SHA-1
			for i, p := range parts[:len(parts)-1] {
				Expect(p.Offset).To(Equal(int64(i) * slice))
				h := sha1.New()
				h.Write(b[:p.Offset+p.Length])
				Expect(p.DataSHA).To(Equal(rules.SHA1State(h)))
			}
		},
		Entry("one slice", int64(1000), int64(1024)),
		Entry("an exact multiple", int64(4096), int64(1024)),
		Entry("a short last slice", int64(5000), int64(1024)),
	)
})

// shortAt is a source that ends at len(b) whatever size it is said to have,
// as a file truncated meanwhile: the read across the end returns what there
// is with io.EOF.
type shortAt []byte

func (s shortAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(s)) {
		return 0, io.EOF
	}
	n := copy(p, s[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

var _ = Describe("RunningSHA1States of a source shorter than its size", func() {
	DescribeTable("fails with io.ErrUnexpectedEOF instead of hashing fewer bytes",
		func(have int64) {
			b := data(5000, 3)
			_, _, err := uploader.RunningSHA1States(shortAt(b[:have]), 5000, 1024)
			Expect(err).To(MatchError(io.ErrUnexpectedEOF))
		},
		Entry("within the last slice", int64(4999)),
		Entry("at a slice boundary", int64(4096)),
		Entry("empty", int64(0)),
	)

	It("makes an upload with uploadparts fail before its init declares states of other bytes", func() {
		c := newClient()
		size := int64(cosv2.MaxSimpleUpload + 3*slice)
		b := data(size, 4)
		_, err := uploader.Upload(context.Background(), c, "short.bin", shortAt(b[:size-10]), size,
			uploader.WithSliceSize(slice), uploader.WithUploadParts())
		Expect(err).To(MatchError(io.ErrUnexpectedEOF))
		_, err = c.SliceList(context.Background(), "short.bin")
		Expect(err).To(MatchError(cosv2.ErrFileNotExist), "no unfinished upload was left behind")
	})
})
