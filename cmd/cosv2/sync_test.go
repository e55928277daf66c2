package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("sync from a local file instead of a directory", func() {
	It("refuses, and removes nothing on the remote side with --delete", func() {
		l := newLocal()
		dir := GinkgoT().TempDir()
		write(filepath.Join(dir, "tree", "a.txt"), []byte("a"))
		write(filepath.Join(dir, "notes.txt"), []byte("notes"))
		code, _, errOut := l.run("sync", filepath.Join(dir, "tree"), "backup/")
		Expect(code).To(Equal(0), errOut)

		code, _, errOut = l.run("sync", "--delete", filepath.Join(dir, "notes.txt"), "cos:backup/")
		Expect(code).To(Equal(2), errOut)
		Expect(errOut).To(ContainSubstring("not a directory"))
		_, err := l.Client.Stat(context.Background(), "backup/a.txt")
		Expect(err).NotTo(HaveOccurred(), "the remote file is still there")
	})
})

var _ = Describe("sync with a slice size the service does not take", func() {
	// put refused it before any request; sync tried every file and failed
	// each with the uploader's error.
	It("is a usage error before any file", func() {
		l := newLocal()
		dir := GinkgoT().TempDir()
		write(filepath.Join(dir, "a.txt"), []byte("a"))
		code, _, errOut := l.run("sync", "--slice-size", "7", dir, "backup/")
		Expect(code).To(Equal(2), errOut)
		Expect(errOut).To(ContainSubstring("--slice-size 7"))
		_, err := l.Client.Stat(context.Background(), "backup/a.txt")
		Expect(err).To(HaveOccurred(), "nothing was sent")
	})
})

// A sync down took put's flags and did nothing with them: --slice-size,
// --concurrency, --attr and --uploadparts changed nothing, unsaid, and a
// bad --slice-size was refused as if the files were going up.
var _ = Describe("sync down with a flag only an upload uses", func() {
	withDocs := func() local {
		l := newLocal()
		ctx := context.Background()
		Expect(l.Client.MakeDir(ctx, "docs/")).To(Succeed())
		_, err := l.Client.Put(ctx, "docs/a.txt", strings.NewReader("a"), 1)
		Expect(err).NotTo(HaveOccurred())
		return l
	}

	DescribeTable("is a usage error before any file, naming the flag",
		func(flag ...string) {
			l := withDocs()
			dir := GinkgoT().TempDir()
			code, _, errOut := l.run(append(append([]string{"sync"}, flag...), "cos:docs/", dir)...)
			Expect(code).To(Equal(2), errOut)
			Expect(errOut).To(ContainSubstring("an upload only (sync LOCAL REMOTE/) takes " + flag[0]))
			Expect(filepath.Join(dir, "a.txt")).NotTo(BeAnExistingFile())
		},
		Entry("--slice-size", "--slice-size", "3145728"),
		Entry("--slice-size the service does not take", "--slice-size", "7"),
		Entry("--concurrency", "--concurrency", "2"),
		Entry("--attr", "--attr", "x"),
		Entry("--uploadparts", "--uploadparts"),
	)

	It("runs with the flags both directions use", func() {
		l := withDocs()
		dir := GinkgoT().TempDir()
		code, _, errOut := l.run("sync", "--jobs", "2", "--include", "*.txt", "docs/", dir)
		Expect(code).To(Equal(0), errOut)
		Expect(filepath.Join(dir, "a.txt")).To(BeAnExistingFile())
	})

	It("is told apart in the help", func() {
		code, out, _ := inProcess("sync", "--help")
		Expect(code).To(Equal(0))
		_, upload, found := strings.Cut(out, "for an upload only (sync LOCAL REMOTE/)")
		Expect(found).To(BeTrue(), out)
		upload, _, _ = strings.Cut(upload, "GLOBAL OPTIONS")
		for _, f := range []string{"--slice-size", "--concurrency", "--attr", "--uploadparts"} {
			Expect(helpLine(upload, f)).NotTo(BeEmpty(), f)
		}
		Expect(helpLine(upload, "--delete")).To(BeEmpty())
	})
})

// sync took a glob for a directory's name: sync 'docs/*.txt' dl answered
// -197 (list /docs/*.txt/) after making dl.
var _ = Describe("sync of a glob", func() {
	var l local
	BeforeEach(func() { l = globTree() })

	It("is refused before anything is made, saying what selects those files", func() {
		dl := filepath.Join(GinkgoT().TempDir(), "dl")
		code, _, errOut := l.run("sync", "docs/*.txt", dl)
		Expect(code).To(Equal(2), errOut)
		Expect(errOut).To(ContainSubstring("sync takes directories"))
		Expect(errOut).To(ContainSubstring("sync cos:docs/ " + dl + " --include '*.txt'"))
		Expect(dl).NotTo(BeADirectory())
	})

	// The command it suggested had no cos: mark: where a local directory
	// had the remote one's name, that command uploaded it instead.
	It("suggests a command that downloads, also where a local directory has the remote one's name", func() {
		ctx := context.Background()
		here := filepath.ToSlash(GinkgoT().TempDir()) // a local directory, and a remote one of that path
		Expect(os.Mkdir(filepath.Join(here, "docs"), 0o777)).To(Succeed())
		Expect(mkdirAll(ctx, l.Client, here+"/docs/")).To(Succeed())
		_, err := l.Client.Put(ctx, here+"/docs/a.txt", strings.NewReader("a"), 1)
		Expect(err).NotTo(HaveOccurred())
		dl := filepath.Join(GinkgoT().TempDir(), "dl")
		code, _, errOut := l.run("sync", here+"/docs/*.txt", dl)
		Expect(code).To(Equal(2), errOut)
		m := regexp.MustCompile(`: (sync \S+ \S+ --include '[^']*')`).FindStringSubmatch(errOut)
		Expect(m).To(HaveLen(2), errOut)
		code, _, errOut = l.run(strings.Fields(strings.ReplaceAll(m[1], "'", ""))...)
		Expect(code).To(Equal(0), errOut)
		Expect(os.ReadFile(filepath.Join(dl, "a.txt"))).To(Equal([]byte("a")), "downloaded, as the glob asked")
	})

	It("still takes a directory whose name has glob characters", func() {
		ctx := context.Background()
		Expect(l.Client.MakeDir(ctx, "odd[1]/")).To(Succeed())
		_, err := l.Client.Put(ctx, "odd[1]/f.txt", strings.NewReader("f"), 1)
		Expect(err).NotTo(HaveOccurred())
		dl := filepath.Join(GinkgoT().TempDir(), "dl")
		code, _, errOut := l.run("sync", "cos:odd[1]/", dl)
		Expect(code).To(Equal(0), errOut)
		Expect(filepath.Join(dl, "f.txt")).To(BeARegularFile())
	})
})
