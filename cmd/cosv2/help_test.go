package main

import (
	"context"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// helpLine returns the line of out that describes flag.
func helpLine(out, flag string) string {
	for l := range strings.Lines(out) {
		if strings.HasPrefix(strings.TrimSpace(l), flag+" ") {
			return l
		}
	}
	return ""
}

var _ = Describe("help texts", func() {
	// --endpoint's help said host:port means http://host:port; a name
	// (cos.example.com:8443) gets https://, as README says.
	DescribeTable("--endpoint says the scheme an endpoint without one gets",
		func(endpoint, want, helpSays string) {
			Expect(withScheme(endpoint)).To(Equal(want))
			code, out, _ := inProcess("--help")
			Expect(code).To(Equal(0))
			Expect(helpLine(out, "--endpoint")).To(ContainSubstring(helpSays))
		},
		Entry("an IP address: http", "127.0.0.1:8089", "http://127.0.0.1:8089", "http:// for an IP address or localhost"),
		Entry("localhost: http", "localhost:8089", "http://localhost:8089", "http:// for an IP address or localhost"),
		Entry("a name: https", "cos.example.com:8443", "https://cos.example.com:8443", "https:// for a name"),
	)

	// sync's help listed --overwrite ("replace existing files") and
	// --recursive ("whole directories"), put's flags, which sync ignores: it
	// always replaces what differs and always takes whole directories.
	It("sync's help lists no flag sync ignores, and still takes them", func() {
		code, out, _ := inProcess("sync", "--help")
		Expect(code).To(Equal(0))
		Expect(helpLine(out, "--delete")).To(ContainSubstring("also remove"))
		Expect(helpLine(out, "--overwrite")).To(BeEmpty())
		Expect(helpLine(out, "--recursive,")).To(BeEmpty())

		l := newLocal()
		dir := GinkgoT().TempDir()
		write(filepath.Join(dir, "a.txt"), []byte("one"))
		code, _, errOut := l.run("sync", dir, "www/")
		Expect(code).To(Equal(0), errOut)
		write(filepath.Join(dir, "a.txt"), []byte("two!"))
		code, _, errOut = l.run("sync", "-r", "--overwrite", dir, "www/")
		Expect(code).To(Equal(0), errOut)
		st, err := l.Client.Stat(context.Background(), "www/a.txt")
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Size).To(Equal(int64(4)))
	})

	// sign's --now and --rand said "(default now) (default: 0)": the flag
	// library added the zero value, which sign never uses.
	DescribeTable("sign's help gives one default, the one sign uses",
		func(flag, want string) {
			code, out, _ := inProcess("sign", "--help")
			Expect(code).To(Equal(0))
			line := helpLine(out, flag)
			Expect(line).To(ContainSubstring(want))
			Expect(strings.Count(line, "default")).To(Equal(1), line)
		},
		Entry("--now", "--now", "(default: now)"),
		Entry("--rand", "--rand", "(default: random)"),
	)
})
