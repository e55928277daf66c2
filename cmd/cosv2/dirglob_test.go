package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// A glob ending in / was taken for a directory's literal name: ls, du, stat,
// rm -r and get -r answered -197 or "no such directory", while the same glob
// without its slash expanded.
var _ = Describe("a glob ending in /", func() {
	var l local
	ctx := context.Background()
	// docs/sa/x.txt (1 byte), docs/sb/y.txt (2), docs/s[a]/z.txt (3) and
	// the file docs/sc.txt, which s* matches too.
	BeforeEach(func() {
		l = newLocal()
		for _, d := range []string{"docs/", "docs/sa/", "docs/sb/", "docs/s[a]/"} {
			Expect(l.Client.MakeDir(ctx, d)).To(Succeed())
		}
		for f, body := range map[string]string{"docs/sa/x.txt": "x", "docs/sb/y.txt": "yy", "docs/s[a]/z.txt": "zzz", "docs/sc.txt": "c"} {
			_, err := l.Client.Put(ctx, f, strings.NewReader(body), int64(len(body)))
			Expect(err).NotTo(HaveOccurred())
		}
	})
	dirExists := func(d string) bool {
		ok, err := remoteDir(ctx, l.Client, d)
		Expect(err).NotTo(HaveOccurred())
		return ok
	}

	Context("ls", func() {
		It("lists each directory it matches under a header, as ls(1) lists several", func() {
			code, out, errOut := l.run("ls", "docs/s?/")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`^docs/sa/:\n +1  \S+ \S+  x\.txt\n\ndocs/sb/:\n +2  \S+ \S+  y\.txt\n$`))
		})

		It("leaves out the files the glob matches", func() {
			code, out, errOut := l.run("ls", "docs/s*/")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(ContainSubstring("docs/s[a]/:\n"))
			Expect(out).NotTo(ContainSubstring("sc.txt"))
		})

		It("names each entry with its directory in JSON", func() {
			code, out, errOut := l.run("--json", "ls", "docs/s?/")
			Expect(code).To(Equal(0), errOut)
			var entries []entryJSON
			Expect(json.Unmarshal([]byte(out), &entries)).To(Succeed(), out)
			Expect(entries).To(HaveExactElements(HaveField("Name", "sa/x.txt"), HaveField("Name", "sb/y.txt")))
		})

		It("lists one directory as ls DIR/ does, without a header", func() {
			code, out, errOut := l.run("ls", "docs/sb*/")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`^ +2  \S+ \S+  y\.txt\n$`))
		})

		It("takes a directory's exact name as that directory alone", func() {
			code, out, errOut := l.run("ls", "docs/s[a]/")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`^ +3  \S+ \S+  z\.txt\n$`))
		})

		It("walks each with -r", func() {
			code, out, errOut := l.run("ls", "-r", "docs/s?/")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`^docs/sa/:\n.*  x\.txt\n\ndocs/sb/:\n.*  y\.txt\n$`))
		})
	})

	It("is the one directory it matches for stat", func() {
		code, out, errOut := l.run("stat", "docs/sb*/")
		Expect(code).To(Equal(0), errOut)
		Expect(out).To(MatchRegexp(`^path: +/docs/sb/\n`))
	})

	It("totals what is below each directory it matches for du, as du DIR/ does", func() {
		code, out, errOut := l.run("--json", "du", "docs/s?/")
		Expect(code).To(Equal(0), errOut)
		var du struct{ Size, Files, Dirs int64 }
		Expect(json.Unmarshal([]byte(out), &du)).To(Succeed(), out)
		Expect(du).To(Equal(struct{ Size, Files, Dirs int64 }{3, 2, 0}), "the directories matched are not counted, as du DIR/ does not count DIR")
	})

	It("removes the directories it matches with rm -r, and no file", func() {
		code, _, errOut := l.run("rm", "-r", "--force", "docs/s?/")
		Expect(code).To(Equal(0), errOut)
		Expect(dirExists("docs/sa/")).To(BeFalse())
		Expect(dirExists("docs/sb/")).To(BeFalse())
		Expect(dirExists("docs/s[a]/")).To(BeTrue())
		_, err := l.Client.Stat(ctx, "docs/sc.txt")
		Expect(err).NotTo(HaveOccurred())
	})

	It("removes only the directory its exact name names with rm -r", func() {
		code, _, errOut := l.run("rm", "-r", "--force", "docs/s[a]/")
		Expect(code).To(Equal(0), errOut)
		Expect(dirExists("docs/s[a]/")).To(BeFalse())
		Expect(dirExists("docs/sa/")).To(BeTrue())
	})

	It("downloads the trees it matches with get -r", func() {
		dl := GinkgoT().TempDir()
		code, _, errOut := l.run("get", "-r", "docs/s?/", dl+"/")
		Expect(code).To(Equal(0), errOut)
		Expect(os.ReadFile(filepath.Join(dl, "sa", "x.txt"))).To(Equal([]byte("x")))
		Expect(os.ReadFile(filepath.Join(dl, "sb", "y.txt"))).To(Equal([]byte("yy")))
		Expect(filepath.Join(dl, "sc.txt")).NotTo(BeAnExistingFile())
	})

	// docs/sa names that directory for ls and du; docs/s[a], as a pattern,
	// matched its own name: ls printed the directory's line, du counted it.
	Context("a directory's exact name without its slash", func() {
		It("is listed by ls, as ls DIR lists a directory", func() {
			code, out, errOut := l.run("ls", "docs/s[a]")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`^ +3  \S+ \S+  z\.txt\n$`))
		})

		It("is listed by ls -r, as ls -r DIR walks a directory", func() {
			code, out, errOut := l.run("ls", "-r", "docs/s[a]")
			Expect(code).To(Equal(0), errOut)
			Expect(out).To(MatchRegexp(`^ +3  \S+ \S+  z\.txt\n$`))
		})

		It("is totalled by du as du DIR totals it", func() {
			code, out, errOut := l.run("--json", "du", "docs/s[a]")
			Expect(code).To(Equal(0), errOut)
			var du struct{ Size, Files, Dirs int64 }
			Expect(json.Unmarshal([]byte(out), &du)).To(Succeed(), out)
			Expect(du).To(Equal(struct{ Size, Files, Dirs int64 }{3, 1, 0}), "du DIR does not count DIR")
		})
	})

	DescribeTable("is refused, saying why, when it matches no directory",
		func(args ...string) {
			code, out, errOut := l.run(args...)
			Expect(code).To(Equal(2), errOut)
			Expect(out).To(BeEmpty())
			Expect(errOut).To(ContainSubstring("matches no directory"))
		},
		Entry("ls of a glob that matches only a file", "ls", "docs/sc*/"),
		Entry("ls of one that matches nothing", "ls", "docs/x*/"),
		Entry("stat", "stat", "docs/sc*/"),
		Entry("du", "du", "docs/x*/"),
		Entry("rm -r", "rm", "-r", "--force", "docs/sc*/"),
	)
})
