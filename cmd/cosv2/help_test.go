package main

import (
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
})
