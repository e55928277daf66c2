package server

import (
	"database/sql"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/signer"
)

// serveDownload answers GET and HEAD of an object: /<appid>/<bucket>/<path>,
// or /<path> on a host named <bucket>-<appid>.<anything> as the official SDKs
// build download URLs. A public file is served to anyone; a private one (its
// own authority eWRPrivate, or eInvalid in a private bucket) only with a
// multi-use signature in Authorization or ?sign=; in a private bucket a
// missing file needs one too, so an unsigned peer cannot tell a private file
// from none.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeEnvelope(w, http.StatusMethodNotAllowed, coserr.ErrReqMethod.Code, "downloads are GET or HEAD", nil)
		return
	}
	bucket, path, ok := s.downloadTarget(r)
	note(w, "download", path, 0)
	if !ok || checkPath(path) != nil || strings.HasSuffix(path, "/") {
		writeEnvelope(w, http.StatusNotFound, coserr.ErrFileNotExist.Code, "no such object", nil)
		return
	}
	n, err := s.meta.getNode(r.Context(), s.meta.db, bucket, path)
	if err != nil {
		s.log.Error("server: download", "path", r.URL.Path, "err", err)
		writeEnvelope(w, http.StatusInternalServerError, coserr.ErrCmdError.Code, "the server's storage failed", nil)
		return
	}
	// In a private bucket an unsigned peer cannot tell a private file from none.
	if n == nil && s.private(bucket, "") || n != nil && s.private(bucket, n.Authority) {
		if err := s.downloadSigned(r, bucket, path); err != nil {
			s.refuseDownload(w, err)
			return
		}
	}
	if n == nil {
		writeEnvelope(w, http.StatusNotFound, coserr.ErrFileNotExist.Code, "no such object", nil)
		return
	}
	b, err := s.openBlob(r.Context(), n)
	switch {
	case errors.Is(err, errNoBlob) || errors.Is(err, sql.ErrNoRows):
		// Deleted or replaced since the node was read.
		writeEnvelope(w, http.StatusNotFound, coserr.ErrFileNotExist.Code, "no such object", nil)
		return
	case err != nil:
		// A store down for a while: a 404 would tell the client not to retry.
		s.log.Error("server: download", "path", r.URL.Path, "err", err)
		writeEnvelope(w, http.StatusInternalServerError, coserr.ErrCmdError.Code, "the server's storage failed", nil)
		return
	}
	defer b.Close()
	defer s.reads.hold(n.Data)()
	for k, v := range n.Headers {
		if allowedHeader(k) == nil && validHeaderValue(v) {
			w.Header().Set(k, v)
		}
	}
	w.Header().Set("ETag", `"`+n.SHA+`"`)
	r = fewRanges(r)
	src := &readErr{ReadSeeker: b}
	http.ServeContent(&progressWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: s.cfg.Limits.WriteTimeout},
		r, "", time.Unix(n.Mtime, 0), src)
	if src.err != nil {
		// The answer has begun: the client sees a short body, the log why.
		s.log.Error("server: download failed", "path", path, "err", src.err)
		note(w, "download", path, coserr.ErrCmdError.Code)
	}
}

// readErr keeps the first error of its reads but the end, which
// http.ServeContent drops once the answer has begun.
type readErr struct {
	io.ReadSeeker
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.ReadSeeker.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && r.err == nil {
		r.err = err
	}
	return n, err
}

// fewRanges returns r without its Range header when it asks for more than
// MaxRanges ranges, which are then answered with the whole file, as RFC 9110
// (14.2) allows: net/http would write a part, and read the store (on S3, a
// GET), for each of the thousands a header can hold.
func fewRanges(r *http.Request) *http.Request {
	rng := r.Header.Get("Range")
	if strings.Count(rng, ",") < MaxRanges {
		return r
	}
	r2 := *r
	r2.Header = r.Header.Clone()
	r2.Header.Del("Range")
	return &r2
}

// private reports whether a file of bucket with that authority is private.
func (s *Server) private(bucket, authority string) bool {
	switch authority {
	case "eWRPrivate":
		return true
	case "eWPrivateRPublic":
		return false
	}
	return slices.Contains(s.cfg.PrivateBuckets, bucket)
}

// downloadSigned checks a download's signature and returns nil when it holds,
// else why not. A multi-use signature may bind f to nothing, to the file's
// fileid (or a directory above it), or, as the official SDKs sign download
// URLs, to the path alone.
func (s *Server) downloadSigned(r *http.Request, bucket, path string) error {
	sig := r.Header.Get("Authorization")
	if sig == "" {
		sig = signer.SignFromQuery(r.URL.RawQuery)
	}
	want := signer.Expectation{AppID: s.cfg.AppID, Bucket: bucket, FileID: signer.FileID(s.cfg.AppID, bucket, path), Kind: signer.Multi}
	err := s.verify.Verify(sig, want)
	var ve *signer.VerifyError
	if errors.As(err, &ve) && ve.Reason == signer.ReasonFileIDMismatch {
		// The path alone, as the official SDKs sign it: it opens this
		// download also where it spells a shorter path's fileid, which the
		// API takes for that path (why our clients sign such a file with its
		// own fileid instead: signer.DownloadFileID).
		want.FileID = signer.PathFileID(path)
		err = s.verify.Verify(sig, want)
	}
	return err
}

func (s *Server) refuseDownload(w http.ResponseWriter, err error) {
	code, msg := coserr.ErrSignatureInvalid.Code, "a private file needs a multi-use signature"
	var ve *signer.VerifyError
	if errors.As(err, &ve) {
		code, msg = ve.Code(), msg+": "+ve.Detail
	}
	writeEnvelope(w, http.StatusForbidden, code, msg, nil)
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

// progressWriter gives every write of a download its own WriteTimeout: a
// large file to a slow but live reader goes on, a reader that stops is cut.
type progressWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (p *progressWriter) Write(b []byte) (int, error) {
	_ = p.rc.SetWriteDeadline(time.Now().Add(p.timeout))
	return p.ResponseWriter.Write(b)
}
