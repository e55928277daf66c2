package main

import (
	"context"
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

// What a remote argument with glob characters names, command by command.
var _ = Describe("remote globs", func() {
	var l local
	ctx := context.Background()
	put := func(p, body string) {
		_, err := l.Client.Put(ctx, p, strings.NewReader(body), int64(len(body)))
		Expect(err).NotTo(HaveOccurred())
	}
	exists := func(p string) bool {
		_, err := l.Client.Stat(ctx, p)
		if err != nil {
			Expect(cosv2.IsNotExist(err)).To(BeTrue(), "%s: %v", p, err)
		}
		return err == nil
	}
	BeforeEach(func() {
		l = newLocal()
		Expect(l.Client.MakeDir(ctx, "docs/")).To(Succeed())
		put("docs/photo[1].jpg", "bracket")
		put("docs/photo1.jpg", "one")
		put("docs/lit*.txt", "star")
		put("docs/litx.txt", "x")
		put("docs/report-2024.pdf", "pdf")
	})

	// photo[1].jpg, as a pattern, matches photo1.jpg: rm removed that file
	// and kept the one named, which stat, share and update address.
	Context("a name that is an entry's and, as a pattern, matches others", func() {
		DescribeTable("is that entry alone",
			func(args []string, gone, kept string) {
				code, _, errOut := l.run(args...)
				Expect(code).To(Equal(0), errOut)
				Expect(exists(gone)).To(BeFalse(), gone)
				Expect(exists(kept)).To(BeTrue(), kept)
			},
			Entry("rm of photo[1].jpg", []string{"rm", "docs/photo[1].jpg"}, "docs/photo[1].jpg", "docs/photo1.jpg"),
			Entry("rm of lit*.txt", []string{"rm", "docs/lit*.txt"}, "docs/lit*.txt", "docs/litx.txt"),
			Entry("rm of two such names", []string{"rm", "docs/lit*.txt", "docs/photo[1].jpg"}, "docs/photo[1].jpg", "docs/litx.txt"),
			Entry("mv", []string{"mv", "docs/photo[1].jpg", "docs/moved.jpg"}, "docs/photo[1].jpg", "docs/photo1.jpg"),
		)

		DescribeTable("is read as that entry",
			func(want string, args ...string) {
				code, out, errOut := l.run(args...)
				Expect(code).To(Equal(0), errOut)
				Expect(out).To(Equal(want))
			},
			Entry("cat", "bracket", "cat", "docs/photo[1].jpg"),
			Entry("get -", "star", "get", "docs/lit*.txt", "-"),
		)

		It("is what cp copies", func() {
			Expect(l.Client.MakeDir(ctx, "copy/")).To(Succeed())
			code, _, errOut := l.run("cp", "docs/photo[1].jpg", "copy/")
			Expect(code).To(Equal(0), errOut)
			Expect(exists("copy/photo[1].jpg")).To(BeTrue())
			Expect(exists("copy/photo1.jpg")).To(BeFalse())
		})
	})

	It("still expands a pattern that is no entry's name, the entries with glob characters among its matches", func() {
		code, out, errOut := l.run("cat", "docs/lit?*")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(Equal("starx"))
	})

	// A command that takes one REMOTE took a glob for a name and answered
	// -197, file does not exist.
	Context("given to a command that takes one REMOTE", func() {
		It("is the one entry it matches: stat", func() {
			code, out, errOut := l.run("stat", "docs/report-*")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`path: +/docs/report-2024\.pdf\n`))
		})

		It("is the one entry it matches: share", func() {
			code, out, errOut := l.run("share", "docs/report-*")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(ContainSubstring("/docs/report-2024.pdf?sign="))
		})

		It("is the one entry it matches: update", func() {
			code, out, errOut := l.run("update", "--attr", "yearly", "docs/report-*")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(Equal("updated docs/report-2024.pdf\n"))
			st, err := l.Client.Stat(ctx, "docs/report-2024.pdf")
			Expect(err).NotTo(HaveOccurred())
			Expect(st.BizAttr).To(Equal("yearly"))
		})

		DescribeTable("is refused, naming why, when it matches several or none",
			func(want string, args ...string) {
				code, out, errOut := l.run(args...)
				Expect(code).To(Equal(2), errOut)
				Expect(out).To(BeEmpty())
				Expect(errOut).To(ContainSubstring(want))
				Expect(errOut).NotTo(ContainSubstring("-197"))
			},
			Entry("stat of several", "docs/*.jpg matches 2 entries (docs/photo1.jpg, docs/photo[1].jpg): stat takes one", "stat", "docs/*.jpg"),
			Entry("stat of none", "docs/*.md matches nothing", "stat", "docs/*.md"),
			Entry("share of several", "docs/*.jpg matches 2 entries (docs/photo1.jpg, docs/photo[1].jpg): share takes one", "share", "docs/*.jpg"),
			Entry("share of none", "docs/*.md matches nothing", "share", "docs/*.md"),
			Entry("update of several", "docs/*.jpg matches 2 entries (docs/photo1.jpg, docs/photo[1].jpg): update takes one", "update", "--attr", "a", "docs/*.jpg"),
			Entry("update of none", "docs/*.md matches nothing", "update", "--attr", "a", "docs/*.md"),
		)
	})

	// Unfinished uploads are not listed: a name with glob characters that
	// only such an upload has matched nothing, where another name is told
	// it has an unfinished upload.
	DescribeTable("a name only an unfinished upload has is said to be one",
		func(args ...string) {
			_, err := l.Client.SliceInit(ctx, "docs/half*.iso", 3<<20, 1<<20, cosv2.SliceInitOptions{})
			Expect(err).NotTo(HaveOccurred())
			code, _, errOut := l.run(args...)
			Expect(code).To(Equal(1), errOut)
			Expect(errOut).To(ContainSubstring("docs/half*.iso is not a file yet: it has an unfinished upload"))
		},
		Entry("stat", "stat", "docs/half*.iso"),
		Entry("rm", "rm", "docs/half*.iso"),
		Entry("cat", "cat", "docs/half*.iso"),
		Entry("get", "get", "docs/half*.iso", "-"),
	)

	// rm --incomplete 'docs/big*' answered -197, "no upload of /docs/big*",
	// as if no upload began with big.
	Context("rm --incomplete", func() {
		BeforeEach(func() {
			for _, p := range []string{"docs/big.iso", "docs/half*.iso"} {
				_, err := l.Client.SliceInit(ctx, p, 3<<20, 1<<20, cosv2.SliceInitOptions{})
				Expect(err).NotTo(HaveOccurred())
			}
		})

		It("refuses a glob that is no upload's name, saying globs do not expand there", func() {
			code, _, errOut := l.run("rm", "--incomplete", "docs/big*")
			Expect(code).To(Equal(2), errOut)
			Expect(errOut).To(ContainSubstring("no unfinished upload is named docs/big*: --incomplete takes an upload's exact path, and globs do not expand there"))
			_, err := l.Client.SliceList(ctx, "docs/big.iso")
			Expect(err).NotTo(HaveOccurred(), "the upload is still there")
		})

		// discard said so, but the line printed was the API error's own
		// (upload_slice_list /docs/none.iso: -197 ...), without it.
		It("says a path without an unfinished upload has none, for people and in JSON", func() {
			code, out, errOut := l.run("rm", "--incomplete", "docs/none.iso")
			Expect(code).To(Equal(1), errOut)
			Expect(out).To(BeEmpty())
			Expect(errOut).To(HavePrefix("cosv2: docs/none.iso has no unfinished upload: "))
			Expect(errOut).To(ContainSubstring("-197 ErrFileNotExist"))
			code, _, errOut = l.run("--json", "rm", "--incomplete", "docs/none.iso")
			Expect(code).To(Equal(1), errOut)
			var v struct {
				Error struct {
					Message string `json:"message"`
					Code    int    `json:"code"`
				} `json:"error"`
			}
			Expect(json.Unmarshal([]byte(errOut), &v)).To(Succeed(), errOut)
			Expect(v.Error.Message).To(HavePrefix("docs/none.iso has no unfinished upload"))
			Expect(v.Error.Code).To(Equal(cosv2.ErrFileNotExist.Code))
		})

		It("discards the upload a name with glob characters names as it is", func() {
			code, _, errOut := l.run("rm", "--incomplete", "docs/half*.iso")
			Expect(code).To(Equal(0), errOut)
			_, err := l.Client.SliceList(ctx, "docs/half*.iso")
			Expect(cosv2.IsNotExist(err)).To(BeTrue(), "%v", err)
		})
	})
})
