package main

import (
	"context"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

var _ = Describe("commands given nothing to do", func() {
	// update with no flag said "updated"; on a directory it sent an empty
	// biz_attr, which cleared the one it had.
	It("update without a flag is a usage error and changes nothing", func() {
		l := newLocal()
		ctx := context.Background()
		Expect(l.Client.MakeDir(ctx, "d/", cosv2.WithBizAttr("keep me"))).To(Succeed())
		code, _, errOut := l.run("update", "d/")
		Expect(code).To(Equal(2), errOut)
		Expect(errOut).To(ContainSubstring("--attr"))
		st, err := l.Client.StatDir(ctx, "d/")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.BizAttr).To(Equal("keep me"))
		code, _, errOut = l.run("update", "f.txt")
		Expect(code).To(Equal(2), errOut)
	})

	// config show of a profile that is not there printed nothing, exit 0.
	It("config show of a missing profile says so", func() {
		GinkgoT().Setenv("XDG_CONFIG_HOME", filepath.Join(GinkgoT().TempDir(), "config"))
		code, _, errOut := inProcess("config", "show", "nope")
		Expect(code).To(Equal(2), errOut)
		Expect(errOut).To(ContainSubstring(`no profile "nope"`))
	})
})
