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
// empty it becomes http://<that address>.
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
		ln.Close()
		return err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
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
