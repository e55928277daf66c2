package main

import (
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("api.txt", func() {
	It("is what the public packages export: run `make api` after changing the API, and review the diff", func() {
		want, err := List("../../..", Packages...)
		Expect(err).NotTo(HaveOccurred())
		got, err := os.ReadFile("../../../api.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(string(got)).To(Equal(want))
	})

	It("lists methods, fields and constant values, so it can tell a change", func() {
		out, err := List("../../..", "github.com/cosv2/cosv2")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(ContainSubstring("method (*Client) Download(ctx context.Context, file string, w io.Writer, opts ...ReadOption) (int64, error)"))
		Expect(out).To(ContainSubstring("const MaxSimpleUpload untyped int = 20971520"))
		Expect(out).To(ContainSubstring("type Object struct, field SourceURL string"))
	})
})
