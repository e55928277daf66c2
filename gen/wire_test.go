package gen_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// part is one multipart part as an official SDK writes it.
type part struct {
	name, value string
	filename    bool // Python's requests files=: a filename and no Content-Type
}

// sdkForm builds a multipart body by hand, the way API_NOTES.md says the
// official clients do, rather than with mime/multipart, so nothing is added.
func sdkForm(parts ...part) (string, []byte) {
	const boundary = "----sdkboundary"
	var b bytes.Buffer
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q", boundary, p.name)
		if p.filename {
			fmt.Fprintf(&b, "; filename=%q", p.name)
		}
		fmt.Fprintf(&b, "\r\n\r\n%s\r\n", p.value)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return "multipart/form-data; boundary=" + boundary, b.Bytes()
}

// validateBody checks a body against the request body the spec declares for
// the operation at fragment.
func validateBody(fragment, method, contentType string, body []byte) error {
	doc := loadSpec()
	item := doc.Paths.Find("/files/v2/{appid}/{bucket}{path}#" + fragment)
	Expect(item).NotTo(BeNil(), fragment)
	op := item.GetOperation(method)
	req, err := http.NewRequest(method, "http://h/files/v2/1/b/f", bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	var rb *openapi3.RequestBody
	if op.RequestBody != nil {
		rb = op.RequestBody.Value
	}
	in := &openapi3filter.RequestValidationInput{Request: req, Options: &openapi3filter.Options{SkipSettingDefaults: true}}
	return openapi3filter.ValidateRequestBody(context.Background(), in, rb)
}

func py(parts ...part) []part {
	for i := range parts {
		parts[i].filename = true
	}
	return parts
}

const sha = "1fe86826617c3a32da4f06bccc71a2a718b274c6"

var _ = Describe("the spec accepts the official SDKs' wire format", func() {
	DescribeTable("multipart forms",
		func(fragment string, parts []part) {
			ct, body := sdkForm(parts...)
			Expect(validateBody(fragment, http.MethodPost, ct, body)).To(Succeed())
		},
		Entry("Python upload: filenames, no Content-Type, op last", "file.upload",
			py(part{name: "insertOnly", value: "0"}, part{name: "sha", value: sha}, part{name: "biz_attr", value: ""},
				part{name: "filecontent", value: "hello"}, part{name: "op", value: "upload"})),
		Entry("Python slice init with sha and uploadparts", "file.upload_slice_init",
			py(part{name: "op", value: "upload_slice_init"}, part{name: "filesize", value: "2097152"}, part{name: "slice_size", value: "1048576"},
				part{name: "insertOnly", value: "1"}, part{name: "sha", value: sha}, part{name: "biz_attr", value: "x"},
				part{name: "uploadparts", value: `[{"offset":0,"datalen":1048576,"datasha":"0123456789abcdeffedcba9876543210f0e1d2c3"}]`})),
		Entry("Python slice data with sha", "file.upload_slice_data",
			py(part{name: "sha", value: sha}, part{name: "session", value: "s1"}, part{name: "offset", value: "1048576"},
				part{name: "filecontent", value: "bytes"}, part{name: "op", value: "upload_slice_data"})),
		Entry("Python finish with sha", "file.upload_slice_finish",
			py(part{name: "op", value: "upload_slice_finish"}, part{name: "session", value: "s1"}, part{name: "filesize", value: "2097152"},
				part{name: "sha", value: sha})),
		Entry("PHP upload without insertOnly", "file.upload",
			[]part{{name: "op", value: "upload"}, {name: "sha", value: sha}, {name: "filecontent", value: "hello"}}),
		Entry("PHP slice init with an empty insertOnly", "file.upload_slice_init",
			[]part{{name: "op", value: "upload_slice_init"}, {name: "filesize", value: "36864"}, {name: "slice_size", value: "1048576"},
				{name: "insertOnly", value: ""}}),
		Entry("PHP slice data with datamd5", "file.upload_slice_data",
			[]part{{name: "op", value: "upload_slice_data"}, {name: "session", value: "s1"}, {name: "offset", value: "0"},
				{name: "datamd5", value: "5d41402abc4b2a76b9719d911017c592"}, {name: "filecontent", value: "hello"}}),
		Entry("Java upload: the file in fileContent", "file.upload",
			[]part{{name: "op", value: "upload"}, {name: "sha", value: sha}, {name: "biz_attr", value: ""},
				{name: "fileContent", value: "hello"}, {name: "insertOnly", value: "0"}}),
		Entry("Java slice data: the slice in fileContent", "file.upload_slice_data",
			[]part{{name: "op", value: "upload_slice_data"}, {name: "session", value: "s1"}, {name: "offset", value: "0"},
				{name: "fileContent", value: "hello"}}),
		Entry("PHP copy as multipart", "file.copy",
			[]part{{name: "op", value: "copy"}, {name: "dest_fileid", value: "/a/b.txt"}, {name: "to_over_write", value: "0"}}),
		Entry("PHP slice list", "file.upload_slice_list", []part{{name: "op", value: "upload_slice_list"}}),
	)

	It("accepts Python's body-less move", func() {
		Expect(validateBody("file.move", http.MethodPost, "", nil)).To(Succeed())
	})

	DescribeTable("JSON bodies",
		func(fragment, body string) {
			Expect(validateBody(fragment, http.MethodPost, "application/json", []byte(body))).To(Succeed())
		},
		Entry("PHP update without headers: an empty array", "file.update", `{"op":"update","biz_attr":"","custom_headers":[]}`),
		Entry("PHP update with escaped slashes and \\u escapes", "file.update",
			`{"op":"update","biz_attr":"a\/b \u7167","authority":"eWPrivateRPublic","custom_headers":{"Content-Type":"text\/plain","x-cos-meta-a":"1"}}`),
		Entry("Java move: a JSON object of strings", "file.move", `{"op":"move","dest_fileid":"/a/b.txt","to_over_write":"0"}`),
		Entry("Java update: custom_headers a string holding JSON, authority the enum's string", "file.update",
			`{"op":"update","biz_attr":"b","authority":"eWRPrivate","custom_headers":"{\"Cache-Control\":\"no-cache\",\"x-cos-meta-a\":\"1\"}"}`),
		Entry("Python update with an empty authority", "file.update", `{"op": "update", "authority": ""}`),
		Entry("a directory update", "dir.update", `{"op":"update","biz_attr":"attr"}`),
		Entry("PHP create", "dir.create", `{"op":"create","biz_attr":""}`),
	)

	DescribeTable("still refuses what no client sends",
		func(fragment, contentType string, body []byte) {
			Expect(validateBody(fragment, http.MethodPost, contentType, body)).NotTo(Succeed())
		},
		Entry("a slice size outside the set", "file.upload_slice_init", func() string { ct, _ := sdkForm(); return ct }(),
			func() []byte {
				_, b := sdkForm(part{name: "op", value: "upload_slice_init"}, part{name: "filesize", value: "1"}, part{name: "slice_size", value: "1000"})
				return b
			}()),
		Entry("a non-numeric offset", "file.upload_slice_data", func() string { ct, _ := sdkForm(); return ct }(),
			func() []byte {
				_, b := sdkForm(part{name: "op", value: "upload_slice_data"}, part{name: "session", value: "s"}, part{name: "offset", value: "x"},
					part{name: "filecontent", value: "b"})
				return b
			}()),
		Entry("custom headers that are a non-empty array", "file.update", "application/json", []byte(`{"op":"update","custom_headers":["a"]}`)),
		Entry("an unknown op", "dir.create", "application/json", []byte(`{"op":"creat"}`)),
		Entry("an authority the document does not list", "file.update", "application/json", []byte(`{"op":"update","authority":"ePublic"}`)),
		Entry("custom headers a string that holds no object", "file.update", "application/json",
			[]byte(`{"op":"update","custom_headers":"Cache-Control: no-cache"}`)),
		Entry("a JSON move whose to_over_write is neither \"0\" nor \"1\"", "file.move", "application/json",
			[]byte(`{"op":"move","dest_fileid":"/a/b.txt","to_over_write":"2"}`)),
	)

	It("builds the forms as the SDKs do", func() {
		_, body := sdkForm(py(part{name: "op", value: "upload"})...)
		Expect(string(body)).To(ContainSubstring(`name="op"; filename="op"`))
		Expect(strings.Contains(string(body), "Content-Type")).To(BeFalse())
	})
})
