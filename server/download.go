package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/cosv2/cosv2/gen/coserr"
)

// serveDownload answers GET and HEAD of an object: /<appid>/<bucket>/<path>,
// or /<path> on a host named <bucket>-<appid>.<anything> as the official SDKs
// build download URLs. Downloads are not signed (no token anti-leech).
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeEnvelope(w, http.StatusMethodNotAllowed, coserr.ErrReqMethod.Code, "downloads are GET or HEAD", nil)
		return
	}
	bucket, path, ok := s.downloadTarget(r)
	if !ok || checkPath(path) != nil || strings.HasSuffix(path, "/") {
		writeEnvelope(w, http.StatusNotFound, coserr.ErrFileNotExist.Code, "no such object", nil)
		return
	}
	s.ix.mu.Lock()
	n := s.ix.get(bucket, path)
	s.ix.mu.Unlock()
	if n == nil {
		writeEnvelope(w, http.StatusNotFound, coserr.ErrFileNotExist.Code, "no such object", nil)
		return
	}
	b, err := s.ix.store.open(n.Data)
	if err != nil {
		writeEnvelope(w, http.StatusNotFound, coserr.ErrFileNotExist.Code, "no such object", nil)
		return
	}
	defer b.Close()
	for k, v := range n.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("ETag", `"`+n.SHA+`"`)
	http.ServeContent(w, r, "", time.Unix(n.Mtime, 0), b)
}

func (s *Server) downloadTarget(r *http.Request) (bucket, path string, ok bool) {
	host, _, _ := strings.Cut(r.Host, ":")
	if first, _, dotted := strings.Cut(host, "."); dotted {
		if b, appid, dash := cutLast(first, "-"); dash && appid == s.cfg.AppID && s.hasBucket(b) {
			return b, r.URL.Path, true
		}
	}
	rest := strings.TrimPrefix(r.URL.Path, "/"+s.cfg.AppID+"/")
	if rest == r.URL.Path {
		return "", "", false
	}
	b, p, found := strings.Cut(rest, "/")
	if !found || !s.hasBucket(b) {
		return "", "", false
	}
	return b, "/" + p, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
