package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/term"
	"os"

	"github.com/cosv2/cosv2/gen"
)

// logTransport logs each request of --debug: method, op, path, status, the
// answer's code and the duration. It sits below the signer, so it sees the
// op in the URL fragment; it never logs headers or the query, where the
// signature is.
type logTransport struct {
	base http.RoundTripper
	log  *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	op := "download"
	if o, ok := gen.OperationByFragment(req.URL.Fragment); ok {
		op = o.Op
	}
	resp, err := t.base.RoundTrip(req)
	attrs := []any{"method", req.Method, "op", op, "path", req.URL.Path, "duration", time.Since(start).Round(time.Microsecond)}
	if err != nil {
		t.log.Debug("request", append(attrs, "err", err)...)
		return resp, err
	}
	attrs = append(attrs, "status", resp.StatusCode)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && resp.ContentLength >= 0 && resp.ContentLength < 64<<10 {
		body, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var env struct {
			Code *int `json:"code"`
		}
		if rerr == nil && json.Unmarshal(body, &env) == nil && env.Code != nil {
			attrs = append(attrs, "code", *env.Code)
		}
	}
	t.log.Debug("request", attrs...)
	return resp, nil
}

func termIsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
