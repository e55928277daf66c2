package rules_test

import (
	"crypto/sha1"
	"encoding/hex"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/internal/rules"
)

var _ = Describe("the running SHA-1 state", func() {
	It("writes the state words little-endian: the SHA-1 IV for no bytes", func() {
		Expect(rules.SHA1State(sha1.New())).To(Equal("0123456789abcdeffedcba9876543210f0e1d2c3"))
	})

	It("continues: hashing on from a state gives the digest of everything", func() {
		h := sha1.New()
		h.Write(make([]byte, 64)) // one whole block: the state is the compression's output
		Expect(rules.SHA1State(h)).NotTo(Equal(rules.SHA1State(sha1.New())))
		Expect(rules.SHA1State(h)).To(HaveLen(40))
	})

	DescribeTable("DataSHA is the state, or the real SHA-1 for the last slice",
		func(last bool) {
			h := sha1.New()
			h.Write([]byte("abc"))
			sum := sha1.Sum([]byte("abc"))
			if last {
				Expect(rules.DataSHA(h, true)).To(Equal(hex.EncodeToString(sum[:])))
			} else {
				Expect(rules.DataSHA(h, false)).To(Equal(rules.SHA1State(h)))
			}
		},
		Entry("a middle slice", false),
		Entry("the last slice", true),
	)
})

var _ = DescribeTable("IsSHA1Hex takes 40 hex digits and nothing else",
	func(s string, want bool) { Expect(rules.IsSHA1Hex(s)).To(Equal(want)) },
	Entry("lower case", "da39a3ee5e6b4b0d3255bfef95601890afd80709", true),
	Entry("upper case", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", true),
	Entry("39 digits", "da39a3ee5e6b4b0d3255bfef95601890afd8070", false),
	Entry("41 digits", "da39a3ee5e6b4b0d3255bfef95601890afd807090", false),
	Entry("a non-hex letter", "za39a3ee5e6b4b0d3255bfef95601890afd80709", false),
	Entry("empty", "", false),
)
