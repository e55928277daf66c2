package server_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// javaForm writes a form as the Java v4 SDK's Apache HttpClient does
// (MultipartEntityBuilder in its default strict mode): every text part typed
// "text/plain; charset=UTF-8", filecontent a binary body with no filename.
func javaForm(srv *httptest.Server, path string, fields ...field) answer {
	const boundary = "5Oq1gKc3Ihw_Ph3wF0pxbLpDBNWTDV"
	var b bytes.Buffer
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n", boundary, f.name)
		if f.name == "filecontent" {
			b.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n")
		} else {
			b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n")
		}
		fmt.Fprintf(&b, "\r\n%s\r\n", f.value)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return sdkCall(srv, "POST", path, "", "multipart/form-data; boundary="+boundary, b.Bytes(), pySign(false, path), false)
}

var _ = Describe("the Java SDK's forms", func() {
	It("are served, numbers and all, though each text part says text/plain; charset=UTF-8", func() {
		srv := start("")
		DeferCleanup(srv.Close)
		ok := func(a answer) { ExpectWithOffset(1, a.Code).To(BeZero(), a.Message) }

		small := []byte("hello from java")
		ok(javaForm(srv, "/j.txt", field{"op", "upload"}, field{"sha", sha(small)}, field{"biz_attr", ""},
			field{"filecontent", string(small)}, field{"insertOnly", "0"}))

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
				field{"offset", strconv.Itoa(off)}, field{"filecontent", string(data[off:min(off+1<<20, len(data))])}))
		}
		ok(javaForm(srv, "/j.bin", field{"session", session}, field{"op", "upload_slice_finish"}, field{"filesize", strconv.Itoa(len(data))}))
		st := sdkCall(srv, "GET", "/j.bin", "op=stat", "", nil, pySign(false, "/j.bin"), false)
		ok(st)
		Expect(st.Data["sha"]).To(Equal(sha(data)))
	})
})
