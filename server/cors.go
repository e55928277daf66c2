package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
)

// CORS is this server's choice, not the COS document's (which says nothing of
// browsers): a page on another origin may call the API and download when its
// origin is one of Config.CORSOrigins ("*" for any). The page sends its
// signature in Authorization, which makes every call a preflighted one; the
// preflight is answered here before anything else, since it carries no
// signature, and says which methods and headers the API takes. Answers to an
// allowed origin let the page read the JSON envelope of errors and the
// download headers (ETag, Content-Range, ...). Credentials (cookies) are
// never allowed: signatures, not cookies, authorise a request. With no
// origins configured, no CORS header is sent and browsers keep pages on other
// origins out, as before.

// corsMethods are the methods of the API and of downloads.
const corsMethods = "GET, HEAD, POST, OPTIONS"

// corsHeaders are the request headers a page may send: the signature, the
// body's type, the range of a download and its validators.
var corsHeaders = []string{"Authorization", "Content-Type", "Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "Cache-Control", "X-Requested-With"}

// corsExposed are the answer headers a page may read beyond the CORS-safelisted ones.
const corsExposed = "ETag, Content-Length, Content-Range, Accept-Ranges, Content-Disposition, Content-Encoding, Last-Modified, Retry-After"

// corsMaxAge is how long a browser may cache a preflight, in seconds.
const corsMaxAge = "600"

// corsOrigin returns the Access-Control-Allow-Origin value for origin, or ""
// when the origin is not allowed.
func (s *Server) corsOrigin(origin string) string {
	if origin == "" || len(s.cfg.CORSOrigins) == 0 {
		return ""
	}
	if slices.Contains(s.cfg.CORSOrigins, "*") {
		return "*"
	}
	for _, o := range s.cfg.CORSOrigins {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return origin
		}
	}
	return ""
}

// cors sets the CORS headers of an answer to a page on an allowed origin, and
// answers a preflight itself: it returns true when the request is done.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if len(s.cfg.CORSOrigins) == 0 {
		return false
	}
	origin := r.Header.Get("Origin")
	allowed := s.corsOrigin(origin)
	preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
	h := w.Header()
	h.Add("Vary", "Origin")
	if preflight {
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
	}
	if allowed == "" {
		if preflight {
			writeEnvelope(w, http.StatusForbidden, coserr.ErrCGIParam.Code, "CORS: origin "+origin+" is not allowed (see cosv2 serve --cors-origin)", nil)
			return true
		}
		return false
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	if !preflight {
		h.Set("Access-Control-Expose-Headers", corsExposed)
		return false
	}
	if m := r.Header.Get("Access-Control-Request-Method"); !strings.Contains(corsMethods, strings.ToUpper(m)) {
		writeEnvelope(w, http.StatusMethodNotAllowed, coserr.ErrCGIParam.Code, "CORS: method "+m+" is not allowed", nil)
		return true
	}
	for _, name := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		name = strings.TrimSpace(name)
		if name != "" && !slices.ContainsFunc(corsHeaders, func(a string) bool { return strings.EqualFold(a, name) }) {
			writeEnvelope(w, http.StatusForbidden, coserr.ErrCGIParam.Code, "CORS: request header "+name+" is not allowed", nil)
			return true
		}
	}
	h.Set("Access-Control-Allow-Methods", corsMethods)
	h.Set("Access-Control-Allow-Headers", strings.Join(corsHeaders, ", "))
	h.Set("Access-Control-Max-Age", corsMaxAge)
	if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
		h.Set("Access-Control-Allow-Private-Network", "true")
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}
