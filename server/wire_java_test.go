package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
)

// javaForm writes a form as the Java v4 SDK's Apache HttpClient does
// (MultipartEntityBuilder in its default strict mode): every text part typed
// "text/plain; charset=UTF-8", the file a binary body with no filename, named
// "fileContent" (RequestBodyKey.FILE_CONTENT), as the document's example.
func javaForm(srv *httptest.Server, path string, fields ...field) answer {
	const boundary = "5Oq1gKc3Ihw_Ph3wF0pxbLpDBNWTDV"
	var b bytes.Buffer
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n", boundary, f.name)
		if f.name == "fileContent" {
			b.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n")
		} else {
			b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n")
		}
		fmt.Fprintf(&b, "\r\n%s\r\n", f.value)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return sdkCall(srv, "POST", path, "", "multipart/form-data; boundary="+boundary, b.Bytes(), pySign(false, path), false)
}

// javaJSON posts a body as the Java v4 SDK's DefaultCosHttpClient does for
// move, update and delete: new JSONObject(params).toString() of a map of
// strings (keys in HashMap order), Content-Type application/json (the
// request's header wins over the entity's text/plain), a one-time signature
// ordered a,k,e,t,r,f,b as Python's.
func javaJSON(srv *httptest.Server, path, body string) answer {
	req, err := http.NewRequest("POST", srv.URL+"/files/v2/"+appID+"/"+bucket+escape(path), strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", "cos-java-sdk-v4.2")
	req.Header.Set("Authorization", pySign(true, path))
	req.Header.Set("Content-Type", "application/json")
	return do(req)
}

func javaStat(srv *httptest.Server, path string) answer {
	return sdkCall(srv, "GET", path, "op=stat", "", nil, pySign(false, path), false)
}

var _ = Describe("the Java SDK's JSON bodies", func() {
	var srv *httptest.Server
	BeforeEach(func() {
		srv = start("")
		DeferCleanup(srv.Close)
	})
	ok := func(a answer) { ExpectWithOffset(1, a.Code).To(BeZero(), a.Message) }
	put := func(path, content string) {
		ExpectWithOffset(1, javaForm(srv, path, field{"op", "upload"}, field{"sha", sha([]byte(content))}, field{"biz_attr", ""},
			field{"fileContent", content}, field{"insertOnly", "0"}).Code).To(BeZero())
	}

	// FileOp.moveFile: dest_fileid the path from the bucket root, to_over_write
	// String.valueOf(OverWrite.ordinal()), a JSON string.
	It("moves a file, replacing the destination only when to_over_write is \"1\"", func() {
		put("/ja.txt", "first")
		ok(javaJSON(srv, "/ja.txt", `{"op":"move","dest_fileid":"/jb.txt","to_over_write":"0"}`))
		Expect(javaStat(srv, "/ja.txt").Code).To(Equal(coserr.ErrFileNotExist.Code))
		Expect(javaStat(srv, "/jb.txt").Data["sha"]).To(Equal(sha([]byte("first"))))

		put("/jc.txt", "second")
		Expect(javaJSON(srv, "/jc.txt", `{"op":"move","dest_fileid":"/jb.txt","to_over_write":"0"}`).Code).To(Equal(coserr.ErrFileExist.Code))
		ok(javaJSON(srv, "/jc.txt", `{"op":"move","dest_fileid":"/jb.txt","to_over_write":"1"}`))
		Expect(javaStat(srv, "/jb.txt").Data["sha"]).To(Equal(sha([]byte("second"))))
	})

	// FileOp.updateFile: custom_headers is new JSONObject(map).toString(), a
	// JSON string holding the object; authority is FileAuthority.toString().
	It("updates a file whose custom_headers come as a string holding JSON, and serves those headers", func() {
		put("/ju.txt", "java")
		ok(javaJSON(srv, "/ju.txt", `{"op":"update","biz_attr":"java attr","authority":"eWPrivateRPublic",`+
			`"custom_headers":"{\"Cache-Control\":\"no-cache\",\"x-cos-meta-a\":\"1\",\"Content-Type\":\"text/x-java\"}"}`))
		st := javaStat(srv, "/ju.txt")
		ok(st)
		Expect(st.Data["biz_attr"]).To(Equal("java attr"))
		Expect(st.Data["authority"]).To(Equal("eWPrivateRPublic"))
		Expect(st.Data["custom_headers"]).To(Equal(map[string]any{"Cache-Control": "no-cache", "x-cos-meta-a": "1", "Content-Type": "text/x-java"}))

		resp, err := http.Get(st.Data["source_url"].(string))
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Header.Get("Cache-Control")).To(Equal("no-cache"))
		Expect(resp.Header.Get("Content-Type")).To(Equal("text/x-java"))
		Expect(resp.Header.Get("X-Cos-Meta-A")).To(Equal("1"))
	})

	DescribeTable("refuses custom_headers strings that do not hold an object of allowed headers",
		func(headers string, code int) {
			put("/jr.txt", "java")
			body, err := json.Marshal(map[string]string{"op": "update", "custom_headers": headers})
			Expect(err).NotTo(HaveOccurred())
			Expect(javaJSON(srv, "/jr.txt", string(body)).Code).To(Equal(code))
			Expect(javaStat(srv, "/jr.txt").Data).NotTo(HaveKey("custom_headers"))
		},
		Entry("not JSON", `{"Cache-Control":`, coserr.ErrJSONParse.Code),
		Entry("an array, which the spec's pattern refuses", `["Cache-Control"]`, coserr.ErrCGIParam.Code),
		Entry("an object of numbers", `{"Cache-Control":1}`, coserr.ErrJSONParse.Code),
		Entry("null", `null`, coserr.ErrCGIParam.Code),
		Entry("a header the document does not list", `{"Set-Cookie":"a=b"}`, coserr.ErrCGIParam.Code),
		Entry("a duplicate name", `{"Cache-Control":"a","Cache-Control":"b"}`, coserr.ErrJSONParse.Code),
	)
})

var _ = Describe("the Java SDK's forms", func() {
	It("are served, numbers and all, though each text part says text/plain; charset=UTF-8", func() {
		srv := start("")
		DeferCleanup(srv.Close)
		ok := func(a answer) { ExpectWithOffset(1, a.Code).To(BeZero(), a.Message) }

		small := []byte("hello from java")
		ok(javaForm(srv, "/j.txt", field{"op", "upload"}, field{"sha", sha(small)}, field{"biz_attr", ""},
			field{"fileContent", string(small)}, field{"insertOnly", "0"}))

		data := make([]byte, 1<<20+4321)
		for i := range data {
			data[i] = byte(i * 13)
		}
		init := javaForm(srv, "/j.bin", field{"filesize", strconv.Itoa(len(data))}, field{"slice_size", "1048576"},
			field{"op", "upload_slice_init"}, field{"insertOnly", "1"})
		ok(init)
		session, _ := init.Data["session"].(string)
		for off := 0; off < len(data); off += 1 << 20 {
			ok(javaForm(srv, "/j.bin", field{"op", "upload_slice_data"}, field{"session", session},
				field{"offset", strconv.Itoa(off)}, field{"fileContent", string(data[off:min(off+1<<20, len(data))])}))
		}
		ok(javaForm(srv, "/j.bin", field{"session", session}, field{"op", "upload_slice_finish"}, field{"filesize", strconv.Itoa(len(data))}))
		st := sdkCall(srv, "GET", "/j.bin", "op=stat", "", nil, pySign(false, "/j.bin"), false)
		ok(st)
		Expect(st.Data["sha"]).To(Equal(sha(data)))
	})

	It("refuses a form with the file in both filecontent and fileContent, or in neither", func() {
		srv := start("")
		DeferCleanup(srv.Close)
		both := javaForm(srv, "/j2.txt", field{"op", "upload"}, field{"fileContent", "a"}, field{"filecontent", "b"})
		Expect(both.Code).To(Equal(coserr.ErrFormError.Code), both.Message)
		neither := javaForm(srv, "/j2.txt", field{"op", "upload"}, field{"insertOnly", "0"})
		Expect(neither.Code).To(Equal(coserr.ErrMissingFileContent.Code), neither.Message)
		Expect(javaStat(srv, "/j2.txt").Code).To(Equal(coserr.ErrFileNotExist.Code))
	})
})
