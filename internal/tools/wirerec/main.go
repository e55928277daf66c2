// Command wirerec prints, as JSON, the requests the Go client (package cosv2)
// sends for each operation, so the TypeScript client's suite can check that it
// sends the same bytes: method, request URI, Content-Type and body, with the
// multipart boundary replaced by BOUNDARY. It answers every request itself
// (an in-process recording server on loopback) with a success the client
// accepts, so the calls go through the facade exactly as a user's would.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"

	"github.com/cosv2/cosv2"
)

// Request is one recorded request.
type Request struct {
	Name        string `json:"name"`
	Fragment    string `json:"fragment"`
	Method      string `json:"method"`
	URI         string `json:"uri"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	Signature   string `json:"signature"`
}

type recorder struct {
	mu   sync.Mutex
	reqs []Request
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	ct := r.Header.Get("Content-Type")
	body := string(b)
	if _, params, err := mime.ParseMediaType(ct); err == nil && params["boundary"] != "" {
		body = strings.ReplaceAll(body, params["boundary"], "BOUNDARY")
		ct = strings.ReplaceAll(ct, params["boundary"], "BOUNDARY")
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, Request{Method: r.Method, URI: r.RequestURI, ContentType: ct, Body: body, Signature: r.Header.Get("Authorization")})
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	data := `{}`
	switch {
	case strings.Contains(body, "upload_slice_init"):
		data = `{"session":"s1","slice_size":524288}`
	case strings.Contains(body, "upload_slice_list"):
		data = `{"session":"s1","slice_size":524288,"filesize":1048576,"listparts":[{"offset":0,"datalen":524288}]}`
	case strings.Contains(r.URL.RawQuery, "op=stat"):
		data = `{"name":"b.txt","filesize":5,"sha":"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d","ctime":1,"mtime":1,"access_url":"","source_url":""}`
	case strings.Contains(r.URL.RawQuery, "op=list"):
		data = `{"context":"","listover":true,"infos":[]}`
	}
	_, _ = fmt.Fprintf(w, `{"code":0,"message":"SUCCESS","data":%s}`, data)
}

func main() {
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// A fixed clock and no retries: the signatures are the only random part.
	c, err := cosv2.New("1250000000", "photos", cosv2.Credentials{SecretID: "AKIDtest", SecretKey: "secret"},
		cosv2.WithEndpoint(srv.URL))
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	content := strings.NewReader("hello")
	authority := cosv2.AuthorityPrivate
	attr := "a/b \u7167"
	calls := []struct {
		name, fragment string
		do             func() error
	}{
		{"mkdir", "dir.create", func() error { return c.MakeDir(ctx, "/my dir/照片/", cosv2.WithBizAttr("attr")) }},
		{"statdir", "dir.stat", func() error { _, err := c.StatDir(ctx, "/my dir/"); return err }},
		{"updatedir", "dir.update", func() error { return c.UpdateDir(ctx, "/my dir/", "x") }},
		{"list", "dir.list", func() error {
			for _, err := range c.List(ctx, "/my dir/", cosv2.WithPrefix("a b"), cosv2.WithPageSize(20)) {
				return err
			}
			return nil
		}},
		{"rmdir", "dir.delete", func() error { return c.RemoveDir(ctx, "/my dir/") }},
		{"put", "file.upload", func() error {
			_, err := c.Put(ctx, "/my dir/a?#%.txt", content, 5, cosv2.WithBizAttr("biz"))
			return err
		}},
		{"put-reserved", "file.upload", func() error {
			_, err := c.Put(ctx, "/a+b=c:d@e$f&g'h(i)!*;,~.txt", content, 5)
			return err
		}},
		{"put-overwrite", "file.upload", func() error { _, err := c.Put(ctx, "/a.txt", content, 5, cosv2.WithOverwrite()); return err }},
		{"stat", "file.stat", func() error { _, err := c.Stat(ctx, "/my dir/b.txt"); return err }},
		{"update", "file.update", func() error {
			return c.Update(ctx, "/b.txt", cosv2.Update{BizAttr: &attr, Authority: &authority, Headers: map[string]string{"Content-Type": "text/plain", "x-cos-meta-a": "1"}})
		}},
		{"remove", "file.delete", func() error { return c.Remove(ctx, "/b.txt") }},
		{"move", "file.move", func() error { return c.Move(ctx, "/b.txt", "/c/d.txt") }},
		{"copy", "file.copy", func() error { return c.Copy(ctx, "/b.txt", "/c/d.txt", cosv2.WithOverwrite()) }},
		{"slice-init", "file.upload_slice_init", func() error {
			_, err := c.SliceInit(ctx, "/big.bin", 1048577, 524288, cosv2.SliceInitOptions{SHA1: "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"})
			return err
		}},
		{"slice-data", "file.upload_slice_data", func() error {
			return c.SliceData(ctx, "/big.bin", "s1", 5, strings.NewReader("0123456789"), 3)
		}},
		{"slice-finish", "file.upload_slice_finish", func() error {
			_, err := c.SliceFinish(ctx, "/big.bin", "s1", 1048577, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
			return err
		}},
		{"slice-list", "file.upload_slice_list", func() error { _, err := c.SliceList(ctx, "/big.bin"); return err }},
	}
	var out []Request
	for _, call := range calls {
		rc.mu.Lock()
		rc.reqs = nil
		rc.mu.Unlock()
		if err := call.do(); err != nil {
			fail(fmt.Errorf("%s: %w", call.name, err))
		}
		rc.mu.Lock()
		if len(rc.reqs) != 1 {
			fail(fmt.Errorf("%s: %d requests, want 1", call.name, len(rc.reqs)))
		}
		r := rc.reqs[0]
		rc.mu.Unlock()
		r.Name, r.Fragment = call.name, call.fragment
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wirerec:", err)
	os.Exit(1)
}
