package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ListenAndServe serves cfg on addr (port 0 picks a free one) until ctx is
// done, then shuts down gracefully, letting requests in flight finish, and
// closes the Server it made (see Server.Close). ready is called with the
// address once the server listens; when cfg.BaseURL is empty it becomes
// http://<that address>. The connection limits and timeouts are cfg.Limits
// (see Limits and DefaultLimits).
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
	served := false // Serve returned: its error is err
	select {
	case err = <-done:
		served = true
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Also when Serve failed: the requests it had begun may still run.
	if serr := hs.Shutdown(sctx); serr != nil {
		// Requests outlived the grace period: cut their connections.
		_ = hs.Close()
		if err == nil {
			err = serr
		}
	}
	if !served {
		if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
			err = e
		}
	}
	// The server made here is closed here: its collector, checkpointer,
	// database and blob store.
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// HTTPServer returns an http.Server for s with the timeouts of its Limits.
// Serve it on s.Listener(ln) for the connection limit and JSON answers to
// requests net/http refuses itself; its ConnContext and ConnState tell the
// listener which bytes are the handler's answers, so keep them (call them
// from your own) if you set those fields.
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
		// So that the listener tells the handler's answers from net/http's own.
		ConnContext: connContext,
		ConnState:   connState,
	}
}
