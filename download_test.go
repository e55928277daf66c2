package cosv2_test

import (
	"bytes"
	"context"
	"math"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
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
		func(r *cosv2.ByteRange, want string) {
			var got bytes.Buffer
			n, err := c.Download(ctx, "r.txt", &got, r)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.String()).To(Equal(want))
			Expect(n).To(BeEquivalentTo(len(want)))
		},
		Entry("the whole object", nil, "0123456789"),
		Entry("a middle range", &cosv2.ByteRange{Offset: 2, Length: 3}, "234"),
		Entry("to the end (Length < 0)", &cosv2.ByteRange{Offset: 2, Length: -1}, "23456789"),
		Entry("a length past the end", &cosv2.ByteRange{Offset: 2, Length: 100}, "23456789"),
		Entry("a length whose end overflows int64", &cosv2.ByteRange{Offset: 2, Length: math.MaxInt64}, "23456789"),
		Entry("an empty range at the end", &cosv2.ByteRange{Offset: 10, Length: 5}, ""),
	)
})
