package cosv2_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("path normalisation", func() {
	DescribeTable("directory paths",
		func(in, want string) {
			got, err := cosv2.DirPath(in)
			if want == "" {
				Expect(err).To(MatchError(cosv2.ErrBadPath))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("the root as empty", "", "/"),
		Entry("the root", "/", "/"),
		Entry("a leading slash added", "a/b/", "/a/b/"),
		Entry("kept as given", "/a/b/", "/a/b/"),
		Entry("Chinese and spaces", "照片 2016/", "/照片 2016/"),
		Entry("no trailing slash", "/a/b", ""),
		Entry("an empty segment", "/a//b/", ""),
		Entry("a dot-dot segment", "/a/../b/", ""),
		Entry("a dot segment", "./", ""),
		Entry("a NUL byte", "/a\x00/", ""),
		Entry("invalid UTF-8", "/\xff/", ""),
		Entry("too long", "/"+strings.Repeat("a", cosv2.MaxPathLen)+"/", ""),
	)

	DescribeTable("file paths",
		func(in, want string) {
			got, err := cosv2.FilePath(in)
			if want == "" {
				Expect(err).To(MatchError(cosv2.ErrBadPath))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("a leading slash added", "a.txt", "/a.txt"),
		Entry("nested", "/a/b/c.txt", "/a/b/c.txt"),
		Entry("special characters kept", "/a b/%?#;.txt", "/a b/%?#;.txt"),
		Entry("a trailing slash", "/a/", ""),
		Entry("empty", "", ""),
		Entry("the root", "/", ""),
		Entry("a dot-dot segment", "/a/../b.txt", ""),
	)

	It("tells directories from files by the trailing slash", func() {
		d, err := cosv2.AnyPath("x/")
		Expect(err).NotTo(HaveOccurred())
		Expect(d).To(Equal("/x/"))
		f, err := cosv2.AnyPath("x")
		Expect(err).NotTo(HaveOccurred())
		Expect(f).To(Equal("/x"))
	})
})
