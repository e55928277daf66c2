package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

// FuzzHandler sends random requests to a disk-backed server with signature
// checks on, signing each with a valid signature for its own path: nothing
// may panic, answer 5xx, or create a file outside the data directory.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, path, query, ct, body string }{
		{"GET", "/", "op=list&num=10", "", ""},
		{"GET", "/d/", "op=stat", "", ""},
		{"POST", "/d/", "", "application/json", `{"op":"create","biz_attr":"x"}`},
		{"POST", "/d/", "", "application/json", `{"op":"delete"}`},
		{"POST", "/f.txt", "", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"filecontent\"; filename=\"f\"\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nupload\r\n--b--\r\n"},
		{"POST", "/big", "", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"op\"\r\n\r\nupload_slice_init\r\n--b\r\nContent-Disposition: form-data; name=\"filesize\"\r\n\r\n10\r\n--b\r\nContent-Disposition: form-data; name=\"slice_size\"\r\n\r\n524288\r\n--b--\r\n"},
		{"POST", "/f.txt", "op=move&dest_fileid=../../../etc/x", "", ""},
		{"POST", "/f.txt", "op=copy&dest_fileid=%2e%2e/x", "", ""},
		{"GET", "/../../etc/passwd", "op=stat", "", ""},
		{"POST", "/a\\b", "", "application/json", `{"op":"update","custom_headers":[]}`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.ct, []byte(s.body))
	}
	root := f.TempDir()
	data := filepath.Join(root, "data")
	s, err := server.New(server.Config{AppID: appID, Buckets: []string{bucket}, SecretID: secretID, SecretKey: secretKey,
		DataDir: data, Validate: true, BaseURL: "http://local"})
	if err != nil {
		f.Fatal(err)
	}
	// Closed before f.TempDir is removed: a server left running (its
	// collector, checkpointer, statements prepared in the background) wrote
	// into the directory as it went, and the removal failed now and then.
	f.Cleanup(func() { _ = s.Close() })
	f.Fuzz(func(t *testing.T, method, path, query, ct string, body []byte) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		target := "/files/v2/" + appID + "/" + bucket + path
		if query != "" {
			target += "?" + query
		}
		req, err := http.NewRequest(method, "http://local/", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.URL.Opaque = ""
		u, err := req.URL.Parse(target)
		if err != nil {
			return
		}
		req.URL = u
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		kind := signer.Multi
		if strings.Contains(string(body), "delete") || strings.Contains(string(body), "update") || strings.Contains(query, "move") || strings.Contains(query, "copy") {
			kind = signer.Once
		}
		now := time.Now()
		sig, _ := signer.Sign(creds, signer.Params{Bucket: bucket, Kind: kind, FileID: signer.FileID(appID, bucket, strings.TrimPrefix(u.Path, "/files/v2/"+appID+"/"+bucket)), Now: now, Expires: now.Add(time.Minute), Rand: uint64(now.UnixNano()) % signer.MaxRand})
		req.Header.Set("Authorization", sig)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s: HTTP %d %s", method, target, w.Code, w.Body.String())
		}
		if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s %s: answer is not JSON: %q", method, target, w.Header().Get("Content-Type"))
		}
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "data" {
				t.Fatalf("%s %s: created %s outside the data directory", method, target, e.Name())
			}
		}
	})
}
