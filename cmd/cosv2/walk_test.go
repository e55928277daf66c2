package main

import (
	"context"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("a local tree reached through a symbolic link", func() {
	// The link is named on the command line: it is followed, as rsync and
	// aws s3 sync do, while links met inside the tree are not.
	var (
		l    local
		dir  string
		link string
	)
	BeforeEach(func() {
		l = newLocal()
		dir = GinkgoT().TempDir()
		write(filepath.Join(dir, "release", "a.txt"), []byte("a"))
		write(filepath.Join(dir, "release", "sub", "b.txt"), []byte("b"))
		link = filepath.Join(dir, "current")
		Expect(os.Symlink("release", link)).To(Succeed())
	})

	It("is what put -r uploads", func() {
		code, _, errOut := l.run("put", "-r", link, "up/")
		Expect(code).To(Equal(0), errOut)
		for _, p := range []string{"up/a.txt", "up/sub/b.txt"} {
			_, err := l.Client.Stat(context.Background(), p)
			Expect(err).NotTo(HaveOccurred(), p)
		}
	})

	It("is what sync sends, and sync --delete keeps the remote files it has", func() {
		code, _, errOut := l.run("sync", filepath.Join(dir, "release"), "www/")
		Expect(code).To(Equal(0), errOut)
		write(filepath.Join(dir, "release", "c.txt"), []byte("c"))
		code, _, errOut = l.run("sync", "--delete", link, "www/")
		Expect(code).To(Equal(0), errOut)
		for _, p := range []string{"www/a.txt", "www/sub/b.txt", "www/c.txt"} {
			_, err := l.Client.Stat(context.Background(), p)
			Expect(err).NotTo(HaveOccurred(), p)
		}
		_, err := l.Client.Stat(context.Background(), "www/current")
		Expect(cosv2.IsNotExist(err)).To(BeTrue())
	})

	// The same link as the local side of a download: sync --delete removed
	// nothing there, as its walk saw one link and not the files behind it.
	It("is what sync --delete cleans when it is the destination", func() {
		code, _, errOut := l.run("sync", filepath.Join(dir, "release"), "www/")
		Expect(code).To(Equal(0), errOut)
		write(filepath.Join(dir, "release", "stale.txt"), []byte("s"))
		code, _, errOut = l.run("sync", "--delete", "cos:www/", link)
		Expect(code).To(Equal(0), errOut)
		Expect(filepath.Join(dir, "release", "stale.txt")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(dir, "release", "a.txt")).To(BeARegularFile())
		Expect(filepath.Join(dir, "release", "sub", "b.txt")).To(BeARegularFile())
		Expect(link).To(BeADirectory(), "the link itself stays")
	})
})
