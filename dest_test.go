package cosv2_test

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("Move and Copy into a directory named after the project", func() {
	// The service reads a dest_fileid of /<appid>/<bucket>/<path> as a
	// resource path: a destination from the bucket root that starts with the
	// appid must still land where it says.
	DescribeTable("land at the path given, not at the bucket root",
		func(call func(c *cosv2.Client, src, dst string) error) {
			c := newClient(newServer().URL)
			ctx := context.Background()
			dir := appID + "/" + bucket + "/"
			Expect(c.MakeDir(ctx, appID+"/")).To(Succeed())
			Expect(c.MakeDir(ctx, dir)).To(Succeed())
			for _, f := range []string{"a.txt", "b.txt"} {
				_, err := c.Put(ctx, f, strings.NewReader(f), int64(len(f)))
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(call(c, "a.txt", dir+"b.txt")).To(Succeed())
			st, err := c.Stat(ctx, dir+"b.txt")
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Size).To(BeEquivalentTo(len("a.txt")))
			st, err = c.Stat(ctx, "b.txt")
			Expect(err).NotTo(HaveOccurred())
			Expect(st.Size).To(BeEquivalentTo(len("b.txt")), "the file at the root is untouched")
		},
		Entry("a copy", func(c *cosv2.Client, src, dst string) error {
			return c.Copy(context.Background(), src, dst, cosv2.WithOverwrite())
		}),
		Entry("a move", func(c *cosv2.Client, src, dst string) error {
			return c.Move(context.Background(), src, dst, cosv2.WithOverwrite())
		}),
	)
})
