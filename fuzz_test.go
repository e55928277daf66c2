package cosv2_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cosv2/cosv2"
)

// FuzzAnswers gives every call of the client the same answer from a server
// (status, one header line, body) and checks what it makes of it: no call
// may panic or loop, and a call that succeeds returns a usable result. The
// seeds are the local server's answers; the fields of all operations are in
// one envelope, so each call finds its own.
func FuzzAnswers(f *testing.F) {
	ok := `{"code":0,"message":"SUCCESS","data":{"session":"s1","slice_size":524288,"filesize":600000,` +
		`"access_url":"http://a/f","source_url":"http://local/src","resource_path":"/1/b/f","url":"http://m/f",` +
		`"sha":"da39a3ee5e6b4b0d3255bfef95601890afd80709","ctime":"1","mtime":"2","context":"c","listover":false,` +
		`"infos":[{"name":"a","filesize":3},{"name":"d/"}],"listparts":[{"offset":0,"datalen":524288}],"biz_attr":"x"}}`
	seeds := []struct {
		status uint16
		header string
		body   string
	}{
		{200, "Content-Type: application/json", ok},
		{200, "Content-Type: application/json", strings.ReplaceAll(ok, "524288", "0")},
		{200, "Content-Type: application/json", strings.ReplaceAll(ok, `"offset":0`, `"offset":-524288`)},
		{200, "Content-Type: application/json", strings.ReplaceAll(ok, `"filesize":600000`, `"filesize":-1`)},
		{206, "Content-Range: bytes 0-2/3", "abc"},
		{206, "Content-Range: bytes -1-2/3", "abc"},
		{400, "Content-Type: application/json", `{"code":-4019,"message":"unfinished","data":{}}`},
		{503, "Retry-After: 99999999999", `{"code":-71,"message":"busy"}`},
		{200, "Content-Type: text/html", "<html>"},
		{200, "Content-Type: application/json", `{"code":0,"data":null}`},
		{200, "Content-Type: application/json", `{"code":0,"data":{"infos":null,"context":"","listover":true}}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.header, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status uint16, header string, body []byte) {
		code := int(status)
		if code < 100 || code > 599 {
			code = 100 + code%500
		}
		c := answering(t, code, header, body)
		ctx := context.Background()
		if info, err := c.Stat(ctx, "/f"); err == nil && (info == nil || info.Size < 0) {
			t.Fatalf("Stat: no error and info %+v", info)
		}
		if info, err := c.StatDir(ctx, "/d/"); err == nil && info == nil {
			t.Fatal("StatDir: no error and no info")
		}
		n := 0
		for e, err := range c.List(ctx, "/d/") {
			if err == nil && e.Size < 0 {
				t.Fatalf("List: entry %+v", e)
			}
			if n++; err != nil || n > 1000 {
				break
			}
		}
		if obj, err := c.Put(ctx, "/f", strings.NewReader("hello"), 5); err == nil && obj == nil {
			t.Fatal("Put: no error and no object")
		}
		sess, err := c.SliceInit(ctx, "/f", 600000, cosv2.SliceSize512K, cosv2.SliceInitOptions{})
		if err == nil && sess.Object == nil && !cosv2.ValidSliceSize(sess.SliceSize) {
			t.Fatalf("SliceInit: a session with slices of %d bytes", sess.SliceSize)
		}
		if sess, err := c.SliceList(ctx, "/f"); err == nil && sess.Object == nil {
			for _, p := range sess.Parts {
				if p.Offset < 0 || p.Length <= 0 || p.Offset%sess.SliceSize != 0 || p.Offset >= sess.FileSize {
					t.Fatalf("SliceList: part %+v of %d bytes in slices of %d", p, sess.FileSize, sess.SliceSize)
				}
			}
		}
		_ = c.SliceData(ctx, "/f", "s1", 0, strings.NewReader("abc"), 3)
		_, _ = c.SliceFinish(ctx, "/f", "s1", 600000, "")
		_ = c.Move(ctx, "/f", "/g")
		_ = c.Remove(ctx, "/f")
		_ = c.MakeDir(ctx, "/d/")
		if r, err := c.NewReader(ctx, "/f"); err == nil {
			got, _ := io.ReadAll(io.LimitReader(r, 1<<20))
			if want := r.Info().Size; int64(len(got)) > max(want, 0) {
				t.Fatalf("read %d bytes of a %d-byte object", len(got), want)
			}
			_ = r.Close()
		}
	})
}

// answering is a client whose every request gets the answer given, one
// attempt each.
func answering(t *testing.T, status int, header string, body []byte) *cosv2.Client {
	tr := transportFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		h := http.Header{}
		if k, v, ok := strings.Cut(header, ":"); ok {
			h.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		return &http.Response{StatusCode: status, Status: strconv.Itoa(status), Header: h, Body: io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)), Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	})
	c, err := cosv2.New("1", "b", cosv2.Credentials{SecretID: "id", SecretKey: "key"}, cosv2.WithEndpoint("http://local"),
		cosv2.WithHTTPClient(&http.Client{Transport: tr}), cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
