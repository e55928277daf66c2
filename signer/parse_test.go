package signer_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("Parse", func() {
	DescribeTable("reads the fields in any order",
		func(plain string) {
			p := mustParse(forge("k", plain))
			Expect(p.Plaintext).To(Equal(plain))
			Expect(*p).To(MatchFields(IgnoreExtras, Fields{
				"AppID": Equal("1"), "Bucket": Equal("bk"), "SecretID": Equal("id"),
				"Expires": BeEquivalentTo(0), "Now": BeEquivalentTo(1600000000),
				"Rand": BeEquivalentTo(9), "FileID": Equal("/1/bk/x"),
			}))
			Expect(p.MAC).To(HaveLen(20))
		},
		Entry("documented: a, b, k, e, t, r, f", "a=1&b=bk&k=id&e=0&t=1600000000&r=9&f=/1/bk/x"),
		Entry("Python SDK: b last", "a=1&k=id&e=0&t=1600000000&r=9&f=/1/bk/x&b=bk"),
		Entry("reversed", "f=/1/bk/x&r=9&t=1600000000&e=0&k=id&b=bk&a=1"),
	)

	It("keeps an = inside a value", func() {
		Expect(mustParse(forge("k", "a=1&b=bk&k=id=2&e=0&t=1&r=0009&f=")).SecretID).To(Equal("id=2"))
	})
})

var _ = Describe("SignFromQuery", func() {
	// the first r whose signature has a "+"
	var sig string
	BeforeEach(func() {
		for p := once(); !strings.Contains(sig, "+"); p.Rand++ {
			sig = mustSign(creds, p)
		}
	})

	DescribeTable("reads the sign parameter of a download URL",
		func(raw, want string) { Expect(signer.SignFromQuery(raw)).To(Equal(want)) },
		Entry("with + sent raw, as the SDKs send it", "sign=ab+c/d==", "ab+c/d=="),
		Entry("escaped", "x=1&sign=ab%2Bc%2Fd%3D%3D&y=2", "ab+c/d=="),
		Entry("absent", "signature=x&sig=y", ""),
		Entry("empty", "sign=", ""),
		Entry("a broken escape, left as it is", "sign=ab%zz", "ab%zz"),
		Entry("the first of two", "sign=a&sign=b", "a"),
	)

	It("gives back a real signature that url.ParseQuery would break", func() {
		raw := "sign=" + sig
		q, _ := url.ParseQuery(raw)
		Expect(q.Get("sign")).NotTo(Equal(sig))
		Expect(signer.SignFromQuery(raw)).To(Equal(sig))
		Expect(signer.SignFromQuery("sign=" + url.QueryEscape(sig))).To(Equal(sig))
	})
})
