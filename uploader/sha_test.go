package uploader_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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
