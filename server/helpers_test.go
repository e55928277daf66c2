package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2/server"
	"github.com/cosv2/cosv2/signer"
)

const (
	appID     = "1250000000"
	bucket    = "photos"
	secretID  = "AKIDtest"
	secretKey = "test-secret-key"
)

var creds = signer.Credentials{AppID: appID, SecretID: secretID, SecretKey: secretKey}

// start runs a validating server on dir: "" is the run's default store,
// a directory SQLite and files there, pgPrefix+directory PostgreSQL and files
// there, s3Prefix before either the bytes in S3 (see stores_test.go).
func start(dir string, mod ...func(*server.Config)) *httptest.Server {
	if dir == "" {
		dir = defaultStore()
	}
	cfg := server.Config{AppID: appID, Buckets: []string{bucket, "other"}, SecretID: secretID, SecretKey: secretKey,
		DataDir: dir, Memory: dir == "", Validate: true, Logger: slog.New(slog.NewTextHandler(GinkgoWriter, nil)),
		DropGrace: -1} // the bytes files drop go at once, for the tests that count them (s3_reads_test.go: the grace)
	if d, ok := strings.CutPrefix(dir, s3Prefix); ok {
		st := s3For(d)
		cfg.DataDir, cfg.Blobs, cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Region = d, st.Blobs(), st.Endpoint, st.AccessKey, st.SecretKey, st.Region
		cfg.InlineMax = -1 // every file an object: the S3 tests count them
	}
	if d, ok := strings.CutPrefix(cfg.DataDir, pgPrefix); ok {
		cfg.DataDir, cfg.Meta = d, postgresFor(d)
	}
	for _, m := range mod {
		m(&cfg)
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	s, err := server.New(cfg)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Close)
	srv.Config.Handler = s
	srv.Start()
	return srv
}

// rnd makes every signature's r distinct, so one-time signatures never repeat.
var rnd atomic.Uint64

// sign makes a signature of the given kind for path of bucket b.
func sign(kind signer.Kind, b, path string) string {
	now := time.Now()
	p := signer.Params{Bucket: b, Kind: kind, Now: now, Expires: now.Add(time.Minute), Rand: rnd.Add(1)}
	if kind == signer.Once {
		p.FileID = signer.FileID(appID, b, path)
	}
	sig, err := signer.Sign(creds, p)
	Expect(err).NotTo(HaveOccurred())
	return sig
}

// answer is a decoded envelope with its HTTP status.
type answer struct {
	Status  int
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data"`
}

// call sends a raw request; rawPath is the escaped path after the bucket.
func call(srv *httptest.Server, method, rawPath, query, contentType string, body []byte, auth string) answer {
	url := srv.URL + "/files/v2/" + appID + "/" + bucket + rawPath
	if query != "" {
		url += "?" + query
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"), string(raw))
	var a answer
	Expect(json.Unmarshal(raw, &a)).To(Succeed(), string(raw))
	a.Status = resp.StatusCode
	return a
}

// jsonOp posts a JSON body signed with kind.
func jsonOp(srv *httptest.Server, kind signer.Kind, path string, body any) answer {
	raw, err := json.Marshal(body)
	Expect(err).NotTo(HaveOccurred())
	return call(srv, http.MethodPost, path, "", "application/json", raw, sign(kind, bucket, path))
}

// form builds a multipart body; a field named filecontent becomes a file part.
func form(fields ...string) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "filecontent" {
			fw, _ := w.CreateFormFile("filecontent", "blob")
			_, _ = fw.Write([]byte(fields[i+1]))
			continue
		}
		_ = w.WriteField(fields[i], fields[i+1])
	}
	_ = w.Close()
	return w.FormDataContentType(), b.Bytes()
}

func formOp(srv *httptest.Server, kind signer.Kind, path string, fields ...string) answer {
	ct, body := form(fields...)
	return call(srv, http.MethodPost, path, "", ct, body, sign(kind, bucket, path))
}

func get(srv *httptest.Server, path, query string) answer {
	return call(srv, http.MethodGet, path, query, "", nil, sign(signer.Multi, bucket, path))
}

func mkdir(srv *httptest.Server, path string) {
	a := jsonOp(srv, signer.Multi, path, map[string]string{"op": "create"})
	Expect(a.Code).To(BeZero(), fmt.Sprint(a))
}

func upload(srv *httptest.Server, path, content string, extra ...string) answer {
	return formOp(srv, signer.Multi, path, append([]string{"op", "upload", "filecontent", content}, extra...)...)
}

var _ = strings.Repeat

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// writerFunc is an io.Writer of a func.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
