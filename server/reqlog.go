package server

import "net/http"

// logged is the ResponseWriter of one request: it keeps what the request's
// log line says, so every request gets one, whatever answered it (an
// operation, a refusal before the op is known, a download, a preflight).
type logged struct {
	http.ResponseWriter
	status int
	code   int    // the envelope's code; 0 for a download's bytes
	op     string // the API op, or "download"
	path   string // the path in the bucket once known, else the URL's (never its query)
}

func (l *logged) WriteHeader(status int) {
	if l.status == 0 {
		l.status = status
	}
	l.ResponseWriter.WriteHeader(status)
}

func (l *logged) Write(p []byte) (int, error) {
	if l.status == 0 {
		l.status = http.StatusOK
	}
	return l.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (l *logged) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// note records the op, path and code of the request w answers, when w is a
// request's logged writer.
func note(w http.ResponseWriter, op, path string, code int) {
	if l, ok := w.(*logged); ok {
		l.op, l.path, l.code = op, path, code
	}
}

// logRequest writes the request's line.
func (s *Server) logRequest(r *http.Request, l *logged) {
	path := l.path
	if path == "" {
		path = r.URL.Path
	}
	status := l.status
	if status == 0 { // nothing written: net/http answers 200
		status = http.StatusOK
	}
	s.log.Info("request", "method", r.Method, "op", l.op, "path", path, "status", status, "code", l.code)
}
