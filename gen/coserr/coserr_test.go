package coserr_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
)

type yamlEntry struct {
	Code      int    `yaml:"code"`
	Name      string `yaml:"name"`
	Go        string `yaml:"go"`
	Group     string `yaml:"group"`
	Retryable bool   `yaml:"retryable"`
}

func yamlEntries() []yamlEntry {
	raw, err := os.ReadFile("../../errcodes.yaml")
	Expect(err).NotTo(HaveOccurred())
	var doc struct{ Codes []yamlEntry }
	Expect(yaml.Unmarshal(raw, &doc)).To(Succeed())
	return doc.Codes
}

// sentinels maps Go names to the sentinels, through the facade's aliases so
// both generated files are checked.
func sentinel(name string) error {
	for _, e := range coserr.Table() {
		if e.Go == name {
			return sentinelByCode(e)
		}
	}
	return nil
}

func sentinelByCode(e coserr.Entry) error {
	return &coserr.APIError{Code: e.Code, Group: e.Group}
}

var _ = Describe("the error table", func() {
	It("holds exactly the YAML's entries", func() {
		ys := yamlEntries()
		Expect(coserr.Table()).To(HaveLen(len(ys)))
		for i, y := range ys {
			t := coserr.Table()[i]
			Expect([]any{t.Code, t.Name, t.Go, t.Group, t.Retryable}).To(Equal([]any{y.Code, y.Name, y.Go, y.Group, y.Retryable}))
		}
	})

	It("round-trips every code: an answer matches its sentinel and no other", func() {
		table := coserr.Table()
		for i, e := range table {
			var err error = coserr.New(e.Code, "server says", 200, "upload", "/a.txt")
			if e.Code > 0 {
				err = &coserr.APIError{Code: e.Code, Group: e.Group, Message: "server says"}
			}
			wrapped := fmt.Errorf("context: %w", err)
			Expect(errors.Is(wrapped, sentinelByCode(e))).To(BeTrue(), "%d %s", e.Code, e.Go)
			other := table[(i+1)%len(table)]
			if other.Code == e.Code {
				other = table[(i+2)%len(table)]
			}
			Expect(errors.Is(wrapped, sentinelByCode(other))).To(BeFalse(), "%d vs %d", e.Code, other.Code)
			var api *coserr.APIError
			Expect(errors.As(wrapped, &api)).To(BeTrue())
			Expect(api.Code).To(Equal(e.Code))
			Expect(api.Retryable()).To(Equal(e.Retryable), "%d", e.Code)
			Expect(coserr.IsRetryable(wrapped)).To(Equal(e.Retryable), "%d", e.Code)
		}
	})

	It("matches through the facade's aliases and gomega's MatchError", func() {
		err := fmt.Errorf("put: %w", coserr.New(-177, "exists", 200, "upload", "/a.txt"))
		Expect(err).To(MatchError(cosv2.ErrFileExist))
		Expect(err).NotTo(MatchError(cosv2.ErrDirNotEmpty))
		Expect(cosv2.ErrFileExist).To(BeIdenticalTo(coserr.ErrFileExist))
		var api *cosv2.APIError
		Expect(errors.As(err, &api)).To(BeTrue())
		Expect(api.Op).To(Equal("upload"))
		Expect(api.Path).To(Equal("/a.txt"))
		Expect(api.Message).To(Equal("exists"))
		Expect(err.Error()).To(ContainSubstring("-177 ErrFileExist (file already exists): exists"))
	})

	It("keeps an unknown code usable", func() {
		err := coserr.New(-12345, "new code", 400, "stat", "/x")
		Expect(err.Error()).To(ContainSubstring("-12345 UNKNOWN_CODE"))
		Expect(err.Retryable()).To(BeFalse())
		Expect(errors.Is(err, coserr.ErrFileExist)).To(BeFalse())
		Expect(errors.Is(err, coserr.New(-12345, "", 0, "", ""))).To(BeTrue())
	})

	It("resolves positive codes to the http group first and keeps groups apart", func() {
		e, ok := coserr.Lookup(503)
		Expect(ok).To(BeTrue())
		Expect(e.Group).To(Equal("http"))
		Expect(coserr.IsRetryable(coserr.New(503, "", 503, "stat", "/"))).To(BeTrue())
		Expect(coserr.New(403, "", 403, "", "")).NotTo(MatchError(coserr.ErrDownloadForbidden))
		Expect(coserr.New(403, "", 403, "", "")).To(MatchError(coserr.ErrHTTPForbidden))
		Expect(coserr.New(-71, "", 200, "", "")).To(MatchError(coserr.ErrFreqControl))
		Expect(coserr.IsRetryable(coserr.ErrFreqControl)).To(BeTrue())
		Expect(coserr.IsRetryable(coserr.ErrSignatureInvalid)).To(BeFalse())
		Expect(coserr.IsRetryable(errors.New("plain"))).To(BeFalse())
	})

	It("lists every code of the document's error section", func() {
		raw, err := os.ReadFile("../../../shared/reference/000_b04621084e6d76d5.txt")
		if os.IsNotExist(err) {
			Skip("the shared reference document is not beside the repository")
		}
		Expect(err).NotTo(HaveOccurred())
		doc := string(raw)
		start, end := strings.Index(doc, "服务端 SDK 错误码"), strings.Index(doc, "\n目录接口\n")
		Expect(start).To(BeNumerically(">", 0))
		Expect(end).To(BeNumerically(">", start))
		have := map[int]bool{}
		for _, e := range coserr.Table() {
			have[e.Code] = true
		}
		positive := true // sdk, download, http come first and are positive
		line := regexp.MustCompile(`^(?:-\s?)?(\d+)\s+\S`)
		found := 0
		for _, l := range strings.Split(doc[start:end], "\n") {
			l = strings.TrimSpace(l)
			if strings.HasPrefix(l, "业务返回码") {
				positive = false
			}
			m := line.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[1])
			if !positive {
				n = -n
			}
			found++
			Expect(have).To(HaveKey(n), "document line %q", l)
		}
		Expect(found).To(BeNumerically(">=", 199))
		Expect(have).To(HaveKey(0))
		Expect(have).To(HaveKey(-9999))
	})

	It("names the sentinels the other packages rely on", func() {
		for name, code := range map[string]int{"ErrFileExist": -177, "ErrDirNotEmpty": -173, "ErrUnfinishedUpload": -4019, "ErrBucketNotMatch": -61} {
			s := sentinel(name)
			Expect(s).To(HaveOccurred(), name)
			var api *coserr.APIError
			Expect(errors.As(s, &api)).To(BeTrue())
			Expect(api.Code).To(Equal(code))
		}
	})
})
