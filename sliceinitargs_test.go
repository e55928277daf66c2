package cosv2_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("SliceInit's refusal of its arguments", func() {
	// One message served both cases: a bad slice size read "slice size 12345
	// is not one of [...] (or size 3145728 < 0)", as if the size were wrong.
	DescribeTable("names the argument that is wrong, and only that one",
		func(size, sliceSize int64, says, not string) {
			c := newClient(newServer().URL)
			_, err := c.SliceInit(context.Background(), "f.bin", size, sliceSize, cosv2.SliceInitOptions{})
			Expect(err).To(MatchError(ContainSubstring(says)))
			Expect(err.Error()).NotTo(ContainSubstring(not))
		},
		Entry("a slice size the service does not allow", int64(3<<20), int64(12345), "slice size 12345 is not one of", "< 0"),
		Entry("a negative file size", int64(-1), cosv2.SliceSize1M, "file size -1 is negative", "not one of"),
	)
})
