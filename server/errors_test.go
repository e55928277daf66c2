package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/signer"
)

var _ = Describe("failures", func() {
	var srv *httptest.Server
	BeforeEach(func() {
		srv = start("")
		DeferCleanup(srv.Close)
		mkdir(srv, "/d/")
		Expect(upload(srv, "/d/f.txt", "hello").Code).To(BeZero())
		mkdir(srv, "/full/")
		Expect(upload(srv, "/full/x", "x").Code).To(BeZero())
	})

	DescribeTable("each gets the document's code, an HTTP status below 500 and the JSON envelope",
		func(send func() answer, want *coserr.APIError, status int) {
			a := send()
			Expect(a.Code).To(Equal(want.Code), a.Message)
			Expect(a.Status).To(Equal(status), a.Message)
			Expect(a.Message).NotTo(BeEmpty())
		},
		Entry("no signature", func() answer { return call(srv, "GET", "/d/", "op=stat", "", nil, "") }, coserr.ErrSignatureEmpty, 403),
		Entry("a malformed signature", func() answer { return call(srv, "GET", "/d/", "op=stat", "", nil, "!!!") }, coserr.ErrAuthorizationFormat, 403),
		Entry("a signature made with another key", func() answer {
			s, _ := signer.Sign(signer.Credentials{AppID: appID, SecretID: secretID, SecretKey: "wrong"}, signer.Params{Bucket: bucket, Kind: signer.Once, FileID: signer.FileID(appID, bucket, "/d/f.txt"), Now: time.Now()})
			return call(srv, "POST", "/d/f.txt", "", "application/json", []byte(`{"op":"delete"}`), s)
		}, coserr.ErrSignatureInvalid, 403),
		Entry("a multi-use signature where a one-time one is needed", func() answer {
			return call(srv, "POST", "/d/f.txt", "", "application/json", []byte(`{"op":"delete"}`), sign(signer.Multi, bucket, "/d/f.txt"))
		}, coserr.ErrOnceSignExpireNotZero, 403),
		Entry("a one-time signature for another file", func() answer {
			return call(srv, "POST", "/d/f.txt", "", "application/json", []byte(`{"op":"delete"}`), sign(signer.Once, bucket, "/d/g.txt"))
		}, coserr.ErrFileIDNotMatch, 403),
		Entry("a replayed one-time signature", func() answer {
			s := sign(signer.Once, bucket, "/d/f.txt")
			call(srv, "POST", "/d/f.txt", "", "application/json", []byte(`{"op":"update","biz_attr":"a"}`), s)
			return call(srv, "POST", "/d/f.txt", "", "application/json", []byte(`{"op":"update","biz_attr":"b"}`), s)
		}, coserr.ErrSignatureReplayed, 403),
		Entry("a signature for another bucket", func() answer { return call(srv, "GET", "/d/", "op=stat", "", nil, sign(signer.Multi, "other", "/d/")) }, coserr.ErrBucketNotMatch, 403),
		Entry("an unknown bucket", func() answer {
			req, _ := http.NewRequest("GET", srv.URL+"/files/v2/"+appID+"/nobucket/?op=stat", nil)
			return do(req)
		}, coserr.ErrBucketNotMatch, 403),
		Entry("an unknown appid", func() answer {
			req, _ := http.NewRequest("GET", srv.URL+"/files/v2/999/"+bucket+"/?op=stat", nil)
			return do(req)
		}, coserr.ErrInvalidAppID, 403),
		Entry("a missing op", func() answer { return get(srv, "/d/", "") }, coserr.ErrMissingOp, 400),
		Entry("an unknown op", func() answer { return get(srv, "/d/", "op=frobnicate") }, coserr.ErrCGIParam, 400),
		Entry("a file op on a directory path", func() answer { return upload(srv, "/d/", "x") }, coserr.ErrFileSurplusSlash, 400),
		Entry("a directory op on a file path", func() answer { return jsonOp(srv, signer.Multi, "/d/x", map[string]string{"op": "create"}) }, coserr.ErrDirMissingSlash, 400),
		Entry("malformed JSON", func() answer {
			return call(srv, "POST", "/e/", "", "application/json", []byte(`{"op":`), sign(signer.Multi, bucket, "/e/"))
		}, coserr.ErrJSONParse, 400),
		Entry("a malformed multipart body", func() answer {
			return call(srv, "POST", "/d/g", "", "multipart/form-data; boundary=zz", []byte("--zz\r\nbroken"), sign(signer.Multi, bucket, "/d/g"))
		}, coserr.ErrFormError, 400),
		Entry("an unsupported Content-Type", func() answer {
			return call(srv, "POST", "/d/g", "", "text/plain", []byte("op=upload"), sign(signer.Multi, bucket, "/d/g"))
		}, coserr.ErrFormError, 400),
		Entry("a dot-dot segment", func() answer { return get(srv, "/d/%2e%2e/f.txt", "op=stat") }, coserr.ErrInvalidPath, 400),
		Entry("a backslash", func() answer { return get(srv, "/d/a%5Cb", "op=stat") }, coserr.ErrInvalidPath, 400),
		Entry("a NUL byte", func() answer { return get(srv, "/d/a%00b", "op=stat") }, coserr.ErrInvalidPath, 400),
		Entry("an empty segment", func() answer { return get(srv, "/d//f.txt", "op=stat") }, coserr.ErrInvalidPath, 400),
		Entry("invalid UTF-8", func() answer { return get(srv, "/d/%ff", "op=stat") }, coserr.ErrNotUTF8, 400),
		Entry("an overlong name", func() answer { return get(srv, "/d/"+strings.Repeat("n", 256), "op=stat") }, coserr.ErrInvalidPath, 400),
		Entry("an overlong path", func() answer { return get(srv, strings.Repeat("/abcdefghi", 101), "op=stat") }, coserr.ErrInvalidPath, 400),
		Entry("a missing file", func() answer { return get(srv, "/d/nope", "op=stat") }, coserr.ErrFileNotExist, 404),
		Entry("a missing directory", func() answer { return get(srv, "/nope/", "op=stat") }, coserr.ErrFileNotExist, 404),
		Entry("an upload into a missing directory", func() answer { return upload(srv, "/nope/f", "x") }, coserr.ErrFileNotExist, 404),
		Entry("an existing file with insertOnly default", func() answer { return upload(srv, "/d/f.txt", "again") }, coserr.ErrFileExist, 409),
		Entry("an existing directory", func() answer { return jsonOp(srv, signer.Multi, "/d/", map[string]string{"op": "create"}) }, coserr.ErrPathConflict, 409),
		Entry("a non-empty directory", func() answer { return jsonOp(srv, signer.Once, "/full/", map[string]string{"op": "delete"}) }, coserr.ErrDirNotEmpty, 409),
		Entry("an upload without filecontent", func() answer { return formOp(srv, signer.Multi, "/d/g", "op", "upload") }, coserr.ErrMissingFileContent, 400),
		Entry("a wrong sha", func() answer { return upload(srv, "/d/g", "x", "sha", strings.Repeat("a", 40)) }, coserr.ErrCGISHANotMatch, 400),
		Entry("a list num over 1000", func() answer { return get(srv, "/d/", "op=list&num=1001") }, coserr.ErrInvalidListNum, 400),
		Entry("a list num of 0", func() answer { return get(srv, "/d/", "op=list&num=0") }, coserr.ErrInvalidListNum, 400),
		Entry("a slice size outside the set", func() answer {
			return formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_init", "filesize", "100", "slice_size", "1000")
		}, coserr.ErrCGIParam, 400),
		Entry("a slice init without filesize", func() answer {
			return formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_init", "slice_size", "524288")
		}, coserr.ErrCGIParam, 400),
		Entry("a wrong session", func() answer {
			return formOp(srv, signer.Multi, "/d/big", "op", "upload_slice_data", "session", "nope", "offset", "0", "filecontent", "x")
		}, coserr.ErrWrongSession, 400),
		Entry("a move onto an existing file", func() answer {
			upload(srv, "/d/g", "g")
			return formOp(srv, signer.Once, "/d/f.txt", "op", "move", "dest_fileid", "g")
		}, coserr.ErrFileExist, 409),
		Entry("a copy into a missing directory", func() answer {
			return formOp(srv, signer.Once, "/d/f.txt", "op", "copy", "dest_fileid", "/nope/x")
		}, coserr.ErrFileNotExist, 404),
		Entry("a copy to another bucket", func() answer {
			return formOp(srv, signer.Once, "/d/f.txt", "op", "copy", "dest_fileid", "/"+appID+"/other/x")
		}, coserr.ErrCrossBucketCopy, 400),
		Entry("a bad authority", func() answer {
			return jsonOp(srv, signer.Once, "/d/f.txt", map[string]string{"op": "update", "authority": "eEveryone"})
		}, coserr.ErrCGIParam, 400),
		Entry("a PUT", func() answer { return call(srv, "PUT", "/d/f.txt", "", "", nil, "") }, coserr.ErrReqMethod, 405),
	)

	It("writes nothing for a refused request", func() {
		upload(srv, "/d/g", "x", "sha", strings.Repeat("a", 40))
		Expect(get(srv, "/d/g", "op=stat").Code).To(Equal(coserr.ErrFileNotExist.Code))
		a := get(srv, "/d/", "op=list&num=100")
		Expect(a.Data["infos"]).To(HaveLen(1))
	})

	It("answers 404 with the envelope for a missing download", func() {
		req, _ := http.NewRequest("GET", srv.URL+"/"+appID+"/"+bucket+"/nope", nil)
		a := do(req)
		Expect(a.Status).To(Equal(404))
		Expect(a.Code).To(Equal(coserr.ErrFileNotExist.Code))
	})
})

func do(req *http.Request) answer {
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var a answer
	Expect(jsonDecode(resp, &a)).To(Succeed())
	a.Status = resp.StatusCode
	return a
}
