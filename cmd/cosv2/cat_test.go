package main

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("cat of several files, one missing", func() {
	// As cat(1): the missing one is reported and the others are written;
	// the exit says one failed. It stopped at the missing file.
	It("writes the others and exits 1", func() {
		l := newLocal()
		ctx := context.Background()
		for _, f := range []string{"a.txt", "b.txt"} {
			_, err := l.Client.Put(ctx, f, strings.NewReader(f), int64(len(f)))
			Expect(err).NotTo(HaveOccurred())
		}
		code, out, errOut := l.run("cat", "a.txt", "missing.txt", "b.txt")
		Expect(code).To(Equal(1), errOut)
		Expect(out).To(Equal("a.txtb.txt"))
		Expect(errOut).To(ContainSubstring("missing.txt"))
	})

	// The summary counted only failures: "cat: 0 files (0 B), 1 failed"
	// after writing two files.
	It("counts the files it wrote in its summary", func() {
		l := newLocal()
		ctx := context.Background()
		for _, f := range []string{"a.txt", "b.txt"} {
			_, err := l.Client.Put(ctx, f, strings.NewReader(f), int64(len(f)))
			Expect(err).NotTo(HaveOccurred())
		}
		code, _, errOut := l.run("cat", "a.txt", "missing.txt", "b.txt")
		Expect(code).To(Equal(1), errOut)
		Expect(errOut).To(ContainSubstring("cat: 2 files (10 B), 1 failed"))
	})
})
