package main

import (
	"context"
	"path/filepath"

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
