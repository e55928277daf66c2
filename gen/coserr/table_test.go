package coserr_test

import (
	"errors"
	"fmt"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/yaml.v3"

	"github.com/cosv2/cosv2/gen/coserr"
)

// yamlEntry is an entry of errcodes.yaml as the tests read it, apart from the
// generator, so a generator bug cannot hide behind its own parser.
type yamlEntry struct {
	Code      int    `yaml:"code"`
	Name      string `yaml:"name"`
	Go        string `yaml:"go"`
	Group     string `yaml:"group"`
	Zh        string `yaml:"zh"`
	En        string `yaml:"en"`
	HTTP      int    `yaml:"http"`
	Retryable bool   `yaml:"retryable"`
	OK        bool   `yaml:"ok"`
	Note      string `yaml:"note"`
	Also      []struct {
		Name string `yaml:"name"`
		Zh   string `yaml:"zh"`
		En   string `yaml:"en"`
	} `yaml:"also"`
}

func loadYAML() ([]yamlEntry, error) {
	raw, err := os.ReadFile("../../errcodes.yaml")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Codes []yamlEntry `yaml:"codes"`
	}
	return doc.Codes, yaml.Unmarshal(raw, &doc)
}

// named is the entry New names a code after: by number for an API code; for a
// positive one, the first of the http, download and sdk groups that lists it.
func named(ys []yamlEntry, code int) yamlEntry {
	for _, g := range []string{"", "http", "download", "sdk"} {
		for _, y := range ys {
			if y.Code == code && (code <= 0 || y.Group == g) {
				return y
			}
		}
	}
	panic(fmt.Sprintf("code %d is not in errcodes.yaml", code))
}

// sameCode lists the Go names of the sentinels with code.
func sameCode(ys []yamlEntry, code int) []string {
	var out []string
	for _, y := range ys {
		if y.Code == code && y.Go != "" {
			out = append(out, y.Go)
		}
	}
	return out
}

var _ = Describe("every code of errcodes.yaml", func() {
	ys, loadErr := loadYAML()

	It("is in the generated table, field for field and in order", func() {
		Expect(loadErr).NotTo(HaveOccurred())
		table := coserr.Table()
		Expect(table).To(HaveLen(len(ys)))
		for i, y := range ys {
			Expect(table[i]).To(Equal(coserr.Entry{Code: y.Code, Name: y.Name, Go: y.Go, Group: y.Group,
				Zh: y.Zh, En: y.En, HTTPStatus: y.HTTP, Retryable: y.Retryable}), "entry %d", i)
		}
	})

	var entries []TableEntry
	for _, y := range ys {
		entries = append(entries, Entry(fmt.Sprintf("%s %d %s", y.Group, y.Code, y.Name), y))
	}
	DescribeTable("round-trips: a server's answer matches its sentinel and no other",
		func(y yamlEntry) {
			t, ok := coserr.LookupGroup(y.Group, y.Code)
			Expect(ok).To(BeTrue())
			s := t.Sentinel()
			if y.OK {
				Expect(s).NotTo(HaveOccurred(), "a code that is not an error has no sentinel")
				return
			}
			Expect(*s).To(Equal(coserr.APIError{Code: y.Code, Name: y.Name, HTTPStatus: y.HTTP}))
			Expect(s.Meaning()).To(Equal(y.En))
			Expect(s.Retryable()).To(Equal(y.Retryable))

			n := named(ys, y.Code)
			err := coserr.New(y.Code, "server says", 0, "upload", "/a/b.txt")
			Expect(*err).To(Equal(coserr.APIError{Code: y.Code, Name: n.Name, Message: "server says",
				HTTPStatus: n.HTTP, Op: "upload", Path: "/a/b.txt"}))
			wrapped := fmt.Errorf("put: %w", err)
			Expect(wrapped.Error()).To(Equal(fmt.Sprintf("put: cos: upload /a/b.txt: %d %s (%s): server says", y.Code, n.Name, n.En)))

			Expect(wrapped).To(MatchError(s))
			other := coserr.ErrFileExist
			if y.Code == other.Code {
				other = coserr.ErrDirNotEmpty
			}
			Expect(wrapped).NotTo(MatchError(other))
			var matched []string
			for _, o := range coserr.Table() {
				if o.Sentinel() != nil && errors.Is(wrapped, o.Sentinel()) {
					matched = append(matched, o.Go)
				}
			}
			Expect(matched).To(ConsistOf(sameCode(ys, y.Code)))

			var api *coserr.APIError
			Expect(errors.As(wrapped, &api)).To(BeTrue())
			Expect(api).To(BeIdenticalTo(err))
			Expect(coserr.IsRetryable(wrapped)).To(Equal(n.Retryable))
			Expect(api.Temporary()).To(Equal(n.Retryable))
			Expect(api.Meaning()).To(Equal(n.En))
		},
		entries,
	)
})

var _ = Describe("the sentinels other packages name", func() {
	DescribeTable("carry the document's code",
		func(s *coserr.APIError, code int) {
			Expect(s.Code).To(Equal(code))
			t, ok := coserr.Lookup(code)
			Expect(ok).To(BeTrue())
			Expect(t.Sentinel()).To(BeIdenticalTo(s))
		},
		Entry("ErrFileExist", coserr.ErrFileExist, -177),
		Entry("ErrDirNotEmpty", coserr.ErrDirNotEmpty, -173),
		Entry("ErrFileNotExist", coserr.ErrFileNotExist, -197),
		Entry("ErrSignatureInvalid", coserr.ErrSignatureInvalid, -97),
		Entry("ErrSignatureExpired", coserr.ErrSignatureExpired, -96),
		Entry("ErrSignatureEmpty", coserr.ErrSignatureEmpty, -81),
		Entry("ErrOnceSignExpireNotZero", coserr.ErrOnceSignExpireNotZero, -73),
		Entry("ErrMultiSignExpireZero", coserr.ErrMultiSignExpireZero, -74),
		Entry("ErrOnceSignNoFileID", coserr.ErrOnceSignNoFileID, -76),
		Entry("ErrFileIDNotMatch", coserr.ErrFileIDNotMatch, -63),
		Entry("ErrBucketNotMatch", coserr.ErrBucketNotMatch, -61),
		Entry("ErrAppIDNotMatch", coserr.ErrAppIDNotMatch, -70),
		Entry("ErrSecretIDNotExist", coserr.ErrSecretIDNotExist, -79),
		Entry("ErrSignatureReplayed", coserr.ErrSignatureReplayed, -77),
		Entry("ErrFreqControl", coserr.ErrFreqControl, -71),
		Entry("ErrOverload", coserr.ErrOverload, -300),
		Entry("ErrUnfinishedUpload", coserr.ErrUnfinishedUpload, -4019),
		Entry("ErrOffsetGoBack", coserr.ErrOffsetGoBack, -4024),
		Entry("ErrSHANotEqual", coserr.ErrSHANotEqual, -174),
		Entry("ErrFileSizeNotEqual", coserr.ErrFileSizeNotEqual, -175),
		Entry("ErrPathConflict", coserr.ErrPathConflict, -178),
		Entry("ErrInvalidPath", coserr.ErrInvalidPath, -180),
		Entry("ErrCGIParam", coserr.ErrCGIParam, -5999),
		Entry("ErrSliceTooLarge", coserr.ErrSliceTooLarge, -5991),
		Entry("ErrJSONParse", coserr.ErrJSONParse, -5975),
		Entry("ErrFormError", coserr.ErrFormError, -5993),
		Entry("ErrMissingOp", coserr.ErrMissingOp, -5980),
		Entry("ErrCGISHANotMatch", coserr.ErrCGISHANotMatch, -5984),
		Entry("ErrWrongSession", coserr.ErrWrongSession, -5983),
		Entry("ErrInvalidListNum", coserr.ErrInvalidListNum, -170),
		Entry("ErrListMaxNum", coserr.ErrListMaxNum, -165),
		Entry("ErrDirMissingSlash", coserr.ErrDirMissingSlash, -161),
		Entry("ErrFileSurplusSlash", coserr.ErrFileSurplusSlash, -160),
		Entry("ErrPathEmpty", coserr.ErrPathEmpty, -164),
		Entry("ErrNotUTF8", coserr.ErrNotUTF8, -147),
		Entry("ErrCrossBucketCopy", coserr.ErrCrossBucketCopy, -5973),
		Entry("ErrReqMethod", coserr.ErrReqMethod, -5996),
		Entry("ErrAuthorizationFormat", coserr.ErrAuthorizationFormat, -5998),
		Entry("ErrInvalidAppID", coserr.ErrInvalidAppID, -80),
		Entry("ErrAppIDNotExist", coserr.ErrAppIDNotExist, -82),
		Entry("ErrParamInvalid", coserr.ErrParamInvalid, -4002),
		Entry("ErrNotSameSHA", coserr.ErrNotSameSHA, -4016),
		Entry("ErrMissingFileContent", coserr.ErrMissingFileContent, -5990),
		Entry("ErrFileSize", coserr.ErrFileSize, -5995),
		Entry("ErrMissingFilesize", coserr.ErrMissingFilesize, -5971),
		Entry("ErrInvalidSHA", coserr.ErrInvalidSHA, -168),
		Entry("ErrUnknown", coserr.ErrUnknown, -9999),
	)
})
