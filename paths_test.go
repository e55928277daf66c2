package cosv2_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"

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
		Entry("a backslash, which the server refuses", `/a\b.txt`, ""),
		Entry("a tab, which the server refuses", "/a\tb.txt", ""),
		Entry("a C1 control character, which the server refuses", "/a\u0085b.txt", ""),
		Entry("a name of 255 bytes", "/"+strings.Repeat("n", 255), "/"+strings.Repeat("n", 255)),
		Entry("a name of 256 bytes, which the server refuses", "/"+strings.Repeat("n", 256), ""),
		Entry("a leading empty segment", "//a.txt", ""),
	)

	It("refuses what the server would refuse before any request, with ErrBadPath", func() {
		var sent atomic.Int32
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			sent.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		})
		c := newClient(newServer().URL, cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		ctx := context.Background()
		for _, p := range []string{`a\b.txt`, "a\x01b.txt", "/" + strings.Repeat("n", 256)} {
			_, err := c.Put(ctx, p, strings.NewReader("x"), 1)
			Expect(err).To(MatchError(cosv2.ErrBadPath))
			_, err = c.Stat(ctx, p)
			Expect(err).To(MatchError(cosv2.ErrBadPath))
		}
		_, err := collect(c, "/", cosv2.WithPrefix("a/b"))
		Expect(err).To(MatchError(cosv2.ErrBadPath))
		_, err = collect(c, "/", cosv2.WithPrefix(`a\b`))
		Expect(err).To(MatchError(cosv2.ErrBadPath))
		Expect(sent.Load()).To(BeZero())
	})

	It("tells directories from files by the trailing slash", func() {
		d, err := cosv2.AnyPath("x/")
		Expect(err).NotTo(HaveOccurred())
		Expect(d).To(Equal("/x/"))
		f, err := cosv2.AnyPath("x")
		Expect(err).NotTo(HaveOccurred())
		Expect(f).To(Equal("/x"))
	})
})
