package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ListenAndServe serves cfg on addr (port 0 picks a free one) until ctx is
// done, then shuts down gracefully, letting requests in flight finish. ready
// is called with the address once the server listens; when cfg.BaseURL is
// empty it becomes http://<that address>. The connection limits and timeouts
// are cfg.Limits (see Limits and DefaultLimits).
func ListenAndServe(ctx context.Context, cfg Config, addr string, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + ln.Addr().String()
	}
	s, err := New(cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	hs := s.HTTPServer()
	done := make(chan error, 1)
	go func() { done <- hs.Serve(s.Listener(ln)) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// HTTPServer returns an http.Server for s with the timeouts of its Limits.
// Serve it on s.Listener(ln) for the connection limit and JSON answers to
// requests net/http refuses itself.
func (s *Server) HTTPServer() *http.Server {
	l := s.cfg.Limits
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		// Counted from the request's header: the handler gives the answer
		// its own WriteTimeout once the body is in (see Server.ServeHTTP).
		WriteTimeout:   l.ReadTimeout + l.WriteTimeout,
		IdleTimeout:    l.IdleTimeout,
		MaxHeaderBytes: l.MaxHeaderBytes,
	}
}
