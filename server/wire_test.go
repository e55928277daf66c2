package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/signer"
	"github.com/cosv2/cosv2/uploader"
)

// The official v4 SDKs' wire format (shared/reference/API_NOTES.md, last
// section), built by hand: nothing here goes through the generated client.

// pySign signs as the Python SDK does: fields a,k,e,t,r,f,b (b last), every
// signature bound to the file, multi-use ones with e = now + 300.
func pySign(once bool, path string) string {
	now := time.Now().Unix()
	e := now + 300
	if once {
		e = 0
	}
	plain := fmt.Sprintf("a=%s&k=%s&e=%d&t=%d&r=%d&f=%s&b=%s", appID, secretID, e, now, 123456789+rnd.Add(1), signer.FileID(appID, bucket, path), bucket)
	m := hmac.New(sha1.New, []byte(secretKey))
	m.Write([]byte(plain))
	return base64.StdEncoding.EncodeToString(append(m.Sum(nil), plain...))
}

// phpSign signs as the PHP SDK does: a,b,k,e,t,r,f with b second; multi-use
// signatures have an empty f and live 180 s.
func phpSign(once bool, path string) string {
	now := time.Now().Unix()
	e, f := now+180, ""
	if once {
		e, f = 0, signer.FileID(appID, bucket, path)
	}
	plain := fmt.Sprintf("a=%s&b=%s&k=%s&e=%d&t=%d&r=%d&f=%s", appID, bucket, secretID, e, now, rnd.Add(1), f)
	m := hmac.New(sha1.New, []byte(secretKey))
	m.Write([]byte(plain))
	return base64.StdEncoding.EncodeToString(append(m.Sum(nil), plain...))
}

type field struct{ name, value string }

// sdkForm writes parts byte by byte: Python's carry a filename and no
// Content-Type; PHP's are plain fields.
func sdkForm(python bool, fields ...field) (string, []byte) {
	const boundary = "9431149156168"
	var b bytes.Buffer
	for _, f := range fields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q", boundary, f.name)
		if python {
			fmt.Fprintf(&b, "; filename=%q", f.name)
		}
		fmt.Fprintf(&b, "\r\n\r\n%s\r\n", f.value)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return "multipart/form-data; boundary=" + boundary, b.Bytes()
}

func sdkCall(srv *httptest.Server, method, path, query, ct string, body []byte, auth string, php bool) answer {
	url := srv.URL + "/files/v2/" + appID + "/" + bucket + escape(path)
	if query != "" {
		url += "?" + query
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Authorization", auth)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if php {
		req.Header.Set("Expect", "100-continue")
		req.Header.Set("Method", "POST")
	}
	return do(req)
}

// escape percent-encodes a path as the SDKs do (every byte but unreserved ones and "/").
func escape(p string) string { return signer.FileID("x", "y", p)[len("/x/y"):] }

func pyForm(srv *httptest.Server, path string, once bool, fields ...field) answer {
	ct, body := sdkForm(true, fields...)
	return sdkCall(srv, "POST", path, "", ct, body, pySign(once, path), false)
}

func phpForm(srv *httptest.Server, path string, once bool, fields ...field) answer {
	ct, body := sdkForm(false, fields...)
	return sdkCall(srv, "POST", path, "", ct, body, phpSign(once, path), true)
}

func phpJSON(srv *httptest.Server, path string, once bool, body string) answer {
	return sdkCall(srv, "POST", path, "", "application/json", []byte(body), phpSign(once, path), true)
}

func sha(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }

var _ = Describe("the official SDKs' wire format", func() {
	var srv *httptest.Server
	BeforeEach(func() {
		srv = start("")
		DeferCleanup(srv.Close)
	})

	It("serves every operation as the Python SDK sends it", func() {
		ok := func(a answer) { ExpectWithOffset(1, a.Code).To(BeZero(), a.Message) }
		ok(sdkCall(srv, "POST", "/py/", "", "application/json", []byte(`{"op": "create", "biz_attr": ""}`), pySign(false, "/py/"), false))
		ok(sdkCall(srv, "POST", "/py/", "", "application/json", []byte(`{"op": "update", "biz_attr": "d"}`), pySign(true, "/py/"), false))
		body := []byte("hello from python")
		ok(pyForm(srv, "/py/a b.txt", false, field{"insertOnly", "0"}, field{"sha", sha(body)}, field{"biz_attr", ""},
			field{"filecontent", string(body)}, field{"op", "upload"}))
		a := sdkCall(srv, "GET", "/py/a", "op=list&num=199&context=&delimiter=%2F", "", nil, pySign(false, "/py/a"), false)
		ok(a)
		Expect(a.Data["infos"]).To(HaveLen(1))
		ok(sdkCall(srv, "GET", "/py/", "op=stat", "", nil, pySign(false, "/py/"), false))
		st := sdkCall(srv, "GET", "/py/a b.txt", "op=stat", "", nil, pySign(false, "/py/a b.txt"), false)
		ok(st)
		Expect(st.Data["sha"]).To(Equal(sha(body)))
		ok(sdkCall(srv, "POST", "/py/a b.txt", "", "application/json",
			[]byte(`{"op": "update", "authority": "eWRPrivate", "custom_headers": {"Content-Type": "text/plain"}}`), pySign(true, "/py/a b.txt"), false))
		// Move as a body-less POST with its fields in the query.
		ok(sdkCall(srv, "POST", "/py/a b.txt", "op=move&dest_fileid=moved.txt&to_over_write=0", "", nil, pySign(true, "/py/a b.txt"), false))
		ok(sdkCall(srv, "GET", "/py/moved.txt", "op=stat", "", nil, pySign(false, "/py/moved.txt"), false))
		// A multi-use signature bound to another path is refused.
		Expect(sdkCall(srv, "GET", "/py/moved.txt", "op=stat", "", nil, pySign(false, "/py/other.txt"), false).Code).To(Equal(coserr.ErrFileIDNotMatch.Code))
		ok(sdkCall(srv, "POST", "/py/moved.txt", "", "application/json", []byte(`{"op": "delete"}`), pySign(true, "/py/moved.txt"), false))
		ok(sdkCall(srv, "POST", "/py/", "", "application/json", []byte(`{"op": "delete"}`), pySign(true, "/py/"), false))
	})

	// qcloud_cos/cos_params_check.py check_file_authority takes "" as legal
	// and update_file sends any authority that is not None; the PHP SDK sends
	// none for an empty one. Empty is no authority given: the file keeps its own.
	It("takes the Python SDK's empty authority as none given", func() {
		ok := func(a answer) { ExpectWithOffset(1, a.Code).To(BeZero(), a.Message) }
		body := []byte("python, private")
		ok(pyForm(srv, "/pe.txt", false, field{"insertOnly", "0"}, field{"sha", sha(body)}, field{"biz_attr", ""},
			field{"filecontent", string(body)}, field{"op", "upload"}))
		ok(sdkCall(srv, "POST", "/pe.txt", "", "application/json", []byte(`{"op": "update", "authority": "eWRPrivate"}`), pySign(true, "/pe.txt"), false))
		ok(sdkCall(srv, "POST", "/pe.txt", "", "application/json", []byte(`{"op": "update", "authority": "", "biz_attr": "kept"}`), pySign(true, "/pe.txt"), false))
		st := sdkCall(srv, "GET", "/pe.txt", "op=stat", "", nil, pySign(false, "/pe.txt"), false)
		ok(st)
		Expect(st.Data["authority"]).To(Equal("eWRPrivate"))
		Expect(st.Data["biz_attr"]).To(Equal("kept"))
	})

	It("serves every operation as the PHP SDK sends it", func() {
		ok := func(a answer) { ExpectWithOffset(1, a.Code).To(BeZero(), a.Message) }
		ok(phpJSON(srv, "/php/", false, `{"op":"create","biz_attr":"\u7167\/x"}`))
		Expect(sdkCall(srv, "GET", "/php/", "op=stat", "", nil, phpSign(false, "/php/"), true).Data["biz_attr"]).To(Equal("照/x"))
		ok(phpForm(srv, "/php/s.txt", false, field{"op", "upload"}, field{"sha", sha([]byte("php"))}, field{"filecontent", "php"}))
		ok(phpJSON(srv, "/php/s.txt", true, `{"op":"update","biz_attr":"","custom_headers":[]}`))
		ok(phpForm(srv, "/php/s.txt", true, field{"op", "copy"}, field{"dest_fileid", "/php/c.txt"}, field{"to_over_write", "0"}))
		ok(phpForm(srv, "/php/c.txt", true, field{"op", "move"}, field{"dest_fileid", "m.txt"}, field{"to_over_write", "1"}))

		// A slice upload: 1 MB slices, insertOnly empty, datamd5 per slice, out of order.
		data := make([]byte, 2<<20+1000)
		for i := range data {
			data[i] = byte(i * 7)
		}
		init := phpForm(srv, "/php/big.bin", false, field{"op", "upload_slice_init"}, field{"filesize", strconv.Itoa(len(data))},
			field{"slice_size", "1048576"}, field{"insertOnly", ""})
		ok(init)
		session := init.Data["session"].(string)
		// A slice whose datamd5 is of other bytes is refused.
		other := md5.Sum(data[:1<<20-1])
		bad := phpForm(srv, "/php/big.bin", false, field{"op", "upload_slice_data"}, field{"session", session},
			field{"offset", "0"}, field{"datamd5", hex.EncodeToString(other[:])}, field{"filecontent", string(data[:1<<20])})
		Expect(bad.Code).To(Equal(coserr.ErrCGISHANotMatch.Code), bad.Message)
		for _, off := range []int{2 << 20, 0, 1 << 20} {
			part := data[off:min(off+1<<20, len(data))]
			md := md5.Sum(part)
			a := phpForm(srv, "/php/big.bin", false, field{"op", "upload_slice_data"}, field{"session", session},
				field{"offset", strconv.Itoa(off)}, field{"datamd5", hex.EncodeToString(md[:])}, field{"filecontent", string(part)})
			ok(a)
			Expect(a.Data).NotTo(HaveKey("access_url"))
		}
		fin := phpForm(srv, "/php/big.bin", false, field{"op", "upload_slice_finish"}, field{"session", session}, field{"filesize", strconv.Itoa(len(data))})
		ok(fin)
		Expect(fin.Data).To(HaveKey("access_url"))
		Expect(fin.Data).To(HaveKey("resource_path"))
		Expect(fin.Data).To(HaveKey("source_url"))
		// Download as PHP does: GET source_url with a multi-use signature in Authorization.
		req, _ := http.NewRequest("GET", fin.Data["source_url"].(string), nil)
		req.Header.Set("Authorization", phpSign(false, "/php/big.bin"))
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		got := new(bytes.Buffer)
		_, _ = got.ReadFrom(resp.Body)
		resp.Body.Close()
		Expect(got.Bytes()).To(Equal(data))
		a := sdkCall(srv, "GET", "/php/", "op=list&num=199", "", nil, phpSign(false, "/php/"), true)
		ok(a)
		Expect(a.Data["infos"]).To(HaveLen(3)) // big.bin, m.txt, s.txt
	})

	Context("slice uploads begun by one client and finished by another", func() {
		const slice = 1 << 20
		var (
			data []byte
			c    *cosv2.Client
		)
		BeforeEach(func() {
			data = make([]byte, 20<<20+3*slice+12345)
			for i := range data {
				data[i] = byte(i*31 + i>>11)
			}
			var err error
			c, err = cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, cosv2.WithEndpoint(srv.URL))
			Expect(err).NotTo(HaveOccurred())
		})

		It("finishes with the uploader an upload the Python SDK began, with uploadparts", func() {
			whole, parts, err := uploader.RunningSHA1States(bytes.NewReader(data), int64(len(data)), slice)
			Expect(err).NotTo(HaveOccurred())
			up, _ := json.Marshal(parts)
			init := pyForm(srv, "/x.bin", false, field{"op", "upload_slice_init"}, field{"filesize", strconv.Itoa(len(data))},
				field{"slice_size", strconv.Itoa(slice)}, field{"insertOnly", "1"}, field{"sha", whole}, field{"uploadparts", string(up)}, field{"biz_attr", "py"})
			Expect(init.Code).To(BeZero(), init.Message)
			session := init.Data["session"].(string)
			for off := 0; off < 5*slice; off += slice { // serially, then the process dies
				a := pyForm(srv, "/x.bin", false, field{"op", "upload_slice_data"}, field{"filecontent", string(data[off : off+slice])},
					field{"sha", whole}, field{"session", session}, field{"offset", strconv.Itoa(off)})
				Expect(a.Code).To(BeZero(), a.Message)
			}
			list := pyForm(srv, "/x.bin", false, field{"op", "upload_slice_list"})
			Expect(list.Data["listparts"]).To(HaveLen(5))
			Expect(list.Data["listparts"].([]any)[0].(map[string]any)["datasha"]).To(Equal(parts[0].DataSHA))

			_, err = uploader.Upload(context.Background(), c, "x.bin", bytes.NewReader(data), int64(len(data)), uploader.WithSliceSize(slice))
			Expect(err).NotTo(HaveOccurred())
			st, err := c.Stat(context.Background(), "x.bin")
			Expect(err).NotTo(HaveOccurred())
			Expect(st.SHA1).To(Equal(whole))
			Expect(st.BizAttr).To(Equal("py"))
			var got bytes.Buffer
			_, err = c.Download(context.Background(), "x.bin", &got)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Bytes()).To(Equal(data))
		})

		// The Java SDK hashes uploadparts in steps of 1 MB whatever the slice
		// size (CommonCodecUtils.getSlicePartSha1: "over 1 MB, hashed as 1 MB").
		It("finishes an upload the Java SDK began with 2 MB slices and uploadparts in 1 MB steps", func() {
			const big = 2 * slice
			whole, parts, err := uploader.RunningSHA1States(bytes.NewReader(data), int64(len(data)), slice)
			Expect(err).NotTo(HaveOccurred())
			up, _ := json.Marshal(parts)
			init := pyForm(srv, "/j.bin", false, field{"op", "upload_slice_init"}, field{"filesize", strconv.Itoa(len(data))},
				field{"slice_size", strconv.Itoa(big)}, field{"sha", whole}, field{"uploadparts", string(up)})
			Expect(init.Code).To(BeZero(), init.Message)
			session := init.Data["session"].(string)
			for off := 0; off < 3*big; off += big {
				a := pyForm(srv, "/j.bin", false, field{"op", "upload_slice_data"}, field{"filecontent", string(data[off : off+big])},
					field{"sha", whole}, field{"session", session}, field{"offset", strconv.Itoa(off)})
				Expect(a.Code).To(BeZero(), a.Message)
			}
			list := pyForm(srv, "/j.bin", false, field{"op", "upload_slice_list"})
			Expect(list.Data["listparts"]).To(HaveLen(3))
			for i, p := range list.Data["listparts"].([]any) { // the state after each slice: the 1 MB step ending there
				Expect(p.(map[string]any)["datasha"]).To(Equal(parts[2*i+1].DataSHA))
			}

			_, err = uploader.Upload(context.Background(), c, "j.bin", bytes.NewReader(data), int64(len(data)), uploader.WithSliceSize(big))
			Expect(err).NotTo(HaveOccurred())
			st, err := c.Stat(context.Background(), "j.bin")
			Expect(err).NotTo(HaveOccurred())
			Expect(st.SHA1).To(Equal(whole))
		})

		It("refuses to finish a Java SDK upload whose 1 MB-step uploadparts other bytes contradict", func() {
			const big = 2 * slice
			whole, parts, err := uploader.RunningSHA1States(bytes.NewReader(data), int64(len(data)), slice)
			Expect(err).NotTo(HaveOccurred())
			parts[3].DataSHA = strings.Repeat("0", 40) // the state after the second 2 MB slice
			up, _ := json.Marshal(parts)
			init := pyForm(srv, "/k.bin", false, field{"op", "upload_slice_init"}, field{"filesize", strconv.Itoa(len(data))},
				field{"slice_size", strconv.Itoa(big)}, field{"sha", whole}, field{"uploadparts", string(up)})
			Expect(init.Code).To(BeZero(), init.Message)
			session := init.Data["session"].(string)
			for off := 0; off < len(data); off += big {
				a := pyForm(srv, "/k.bin", false, field{"op", "upload_slice_data"}, field{"filecontent", string(data[off:min(off+big, len(data))])},
					field{"session", session}, field{"offset", strconv.Itoa(off)})
				Expect(a.Code).To(BeZero(), a.Message)
			}
			fin := pyForm(srv, "/k.bin", false, field{"op", "upload_slice_finish"}, field{"session", session}, field{"filesize", strconv.Itoa(len(data))})
			Expect(fin.Code).To(Equal(coserr.ErrNotSameSHA.Code), fin.Message)
		})

		It("finishes in the Python wire format an upload the uploader began", func() {
			ctx, cancel := context.WithCancel(context.Background())
			_, err := uploader.Upload(ctx, c, "y.bin", bytes.NewReader(data), int64(len(data)), uploader.WithSliceSize(slice), uploader.WithConcurrency(1),
				uploader.WithProgress(func(p uploader.Progress) {
					if p.SlicesDone >= 4 {
						cancel()
					}
				}))
			Expect(err).To(HaveOccurred())
			Expect(pyForm(srv, "/y.bin", false, field{"op", "upload_slice_init"}, field{"filesize", strconv.Itoa(len(data))},
				field{"slice_size", strconv.Itoa(slice)}).Code).To(Equal(coserr.ErrUnfinishedUpload.Code))
			list := pyForm(srv, "/y.bin", false, field{"op", "upload_slice_list"})
			session := list.Data["session"].(string)
			stored := map[int]bool{}
			for _, p := range list.Data["listparts"].([]any) {
				stored[int(p.(map[string]any)["offset"].(float64))] = true
			}
			Expect(stored).NotTo(BeEmpty())
			for off := 0; off < len(data); off += slice {
				if stored[off] {
					continue
				}
				a := pyForm(srv, "/y.bin", false, field{"op", "upload_slice_data"}, field{"filecontent", string(data[off:min(off+slice, len(data))])},
					field{"session", session}, field{"offset", strconv.Itoa(off)})
				Expect(a.Code).To(BeZero(), a.Message)
			}
			fin := pyForm(srv, "/y.bin", false, field{"op", "upload_slice_finish"}, field{"session", session}, field{"filesize", strconv.Itoa(len(data))}, field{"sha", sha(data)})
			Expect(fin.Code).To(BeZero(), fin.Message)
			var got bytes.Buffer
			_, err = c.Download(context.Background(), "y.bin", &got)
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Bytes()).To(Equal(data))
		})
	})

	DescribeTable("bad uploadparts get the document's codes and store nothing",
		func(uploadparts func(data []byte) string, initCode, finishCode int) {
			data := bytes.Repeat([]byte("abcdefgh"), 3<<17) // 3 MB: three 1 MB slices
			init := pyForm(srv, "/bad.bin", false, field{"op", "upload_slice_init"}, field{"filesize", strconv.Itoa(len(data))},
				field{"slice_size", "1048576"}, field{"sha", sha(data)}, field{"uploadparts", uploadparts(data)})
			Expect(init.Code).To(Equal(initCode), init.Message)
			if initCode == 0 {
				session := init.Data["session"].(string)
				for off := 0; off < len(data); off += 1 << 20 {
					Expect(pyForm(srv, "/bad.bin", false, field{"op", "upload_slice_data"}, field{"filecontent", string(data[off : off+1<<20])},
						field{"session", session}, field{"offset", strconv.Itoa(off)}).Code).To(BeZero())
				}
				fin := pyForm(srv, "/bad.bin", false, field{"op", "upload_slice_finish"}, field{"session", session}, field{"filesize", strconv.Itoa(len(data))})
				Expect(fin.Code).To(Equal(finishCode), fin.Message)
			}
			Expect(sdkCall(srv, "GET", "/bad.bin", "op=stat", "", nil, pySign(false, "/bad.bin"), false).Code).To(Equal(coserr.ErrFileNotExist.Code))
		},
		Entry("malformed JSON", func([]byte) string { return `[{"offset":0,` }, coserr.ErrReqParam.Code, 0),
		Entry("wrong offsets", func(d []byte) string {
			_, parts, _ := uploader.RunningSHA1States(bytes.NewReader(d), int64(len(d)), 1<<20)
			parts[1].Offset++
			b, _ := json.Marshal(parts)
			return string(b)
		}, coserr.ErrParamInvalid.Code, 0),
		Entry("a wrong running SHA", func(d []byte) string {
			_, parts, _ := uploader.RunningSHA1States(bytes.NewReader(d), int64(len(d)), 1<<20)
			parts[1].DataSHA = strings.Repeat("0", 40)
			b, _ := json.Marshal(parts)
			return string(b)
		}, 0, coserr.ErrNotSameSHA.Code),
	)
})
