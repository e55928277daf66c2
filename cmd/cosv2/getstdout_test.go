package main

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// get REMOTE - took a glob as a file's name ("stat /docs/*.txt: file does
// not exist"), and so did cat. Both write what the sources name to stdout
// now, globs expanded, one file after the other, as cat(1) does.
var _ = Describe("files to stdout", func() {
	var l local
	BeforeEach(func() {
		l = newLocal()
		ctx := context.Background()
		Expect(l.Client.MakeDir(ctx, "docs/")).To(Succeed())
		Expect(l.Client.MakeDir(ctx, "docs/sub.txt/")).To(Succeed())
		// Put out of order: the files are written in the listing's, by name.
		for _, f := range []string{"docs/b.txt", "docs/a.txt", "docs/c.log"} {
			body := strings.ToUpper(f[5:6]) + "\n"
			_, err := l.Client.Put(ctx, f, strings.NewReader(body), int64(len(body)))
			Expect(err).NotTo(HaveOccurred())
		}
	})

	forms := []struct {
		name string
		args func(srcs ...string) []string
	}{
		{"cat", func(srcs ...string) []string { return append([]string{"cat"}, srcs...) }},
		{"get -", func(srcs ...string) []string { return append(append([]string{"get"}, srcs...), "-") }},
	}
	for _, f := range forms {
		form := f.args
		Context(f.name, func() {
			DescribeTable("writes the files the sources name, in order",
				func(want string, srcs ...string) {
					code, out, errOut := l.run(form(srcs...)...)
					Expect(code).To(Equal(0), errOut)
					Expect(out).To(Equal(want))
				},
				Entry("a glob that matches one file", "A\n", "docs/a.*"),
				Entry("a glob that matches several", "A\nB\n", "docs/[ab].txt"),
				Entry("several sources, globs among them", "C\nA\nB\n", "docs/c.log", "docs/?.txt"),
				Entry("a name with no glob, as before", "B\n", "docs/b.txt"),
			)

			It("reports a directory a glob matches, writes the files, and exits 1", func() {
				code, out, errOut := l.run(form("docs/*.txt")...)
				Expect(code).To(Equal(1), errOut)
				Expect(out).To(Equal("A\nB\n"))
				Expect(errOut).To(ContainSubstring("docs/sub.txt/: is a directory"))
			})

			It("refuses a glob that matches nothing, before writing anything", func() {
				code, out, errOut := l.run(form("docs/a.txt", "docs/*.md")...)
				Expect(code).To(Equal(2), errOut)
				Expect(out).To(BeEmpty())
				Expect(errOut).To(ContainSubstring("docs/*.md matches nothing"))
			})
		})
	}

	// get --include 'a*' 'docs/*' dl/ downloads a.txt alone; to stdout the
	// filters were taken and left unused: every file went.
	DescribeTable("get - writes only the files --include and --exclude select, as get to a directory does",
		func(want string, args ...string) {
			code, out, errOut := l.run(append(append([]string{"get"}, args...), "-")...)
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(Equal(want))
		},
		Entry("--include", "A\n", "--include", "a*", "docs/c.log", "docs/?.txt"),
		Entry("--exclude", "C\nB\n", "--exclude", "a.txt", "docs/c.log", "docs/?.txt"),
	)

	It("refuses get -r: a tree does not go to stdout", func() {
		code, out, errOut := l.run("get", "-r", "docs/", "-")
		Expect(code).To(Equal(2), errOut)
		Expect(out).To(BeEmpty())
		Expect(errOut).To(ContainSubstring("get -r"))
	})
})
