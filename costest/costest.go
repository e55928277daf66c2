// Package costest runs a COS v2 server in memory for users' own tests: one
// call gives a running server that validates every request and answer
// against the spec, a client for it, and cleanup through t.Cleanup. Options
// set the appid, buckets and credentials, and inject faults (fail the nth
// slice, lose the answer to a request the server carried out) so tests can
// see how their code meets a flaky service.
//
//	func TestReport(t *testing.T) {
//		srv := costest.New(t)
//		_, err := srv.Client.Put(ctx, "r.txt", strings.NewReader("x"), 1)
//		...
//	}
package costest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
)

// The defaults of New.
const (
	DefaultAppID     = "1250000000"
	DefaultBucket    = "test"
	DefaultSecretID  = "AKIDcostest"
	DefaultSecretKey = "costest-secret-key"
)

// Server is a running in-memory COS v2 server and a client for it.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:<port>), for
	// cosv2.WithEndpoint or the CLI's --endpoint.
	URL string
	// AppID, Buckets and Credentials are what the server accepts.
	AppID       string
	Buckets     []string
	Credentials cosv2.Credentials
	// Client addresses Buckets[0], with a retry policy that waits
	// milliseconds rather than seconds.
	Client *cosv2.Client

	tb     testing.TB
	faults *faults
	copts  []cosv2.Option
}

type config struct {
	appID   string
	buckets []string
	creds   cosv2.Credentials
	copts   []cosv2.Option
	faults  []fault
}

// Option configures New.
type Option func(*config)

// WithAppID sets the appid (default DefaultAppID).
func WithAppID(id string) Option { return func(c *config) { c.appID = id } }

// WithBuckets sets the buckets the server holds (default DefaultBucket); the
// Client addresses the first.
func WithBuckets(names ...string) Option { return func(c *config) { c.buckets = names } }

// WithCredentials sets the key pair the server accepts and the Client signs
// with (default DefaultSecretID, DefaultSecretKey).
func WithCredentials(creds cosv2.Credentials) Option { return func(c *config) { c.creds = creds } }

// WithClientOptions adds options to the clients the Server makes (after its
// own, so they win).
func WithClientOptions(opts ...cosv2.Option) Option {
	return func(c *config) { c.copts = append(c.copts, opts...) }
}

// New starts a server in memory on loopback, validating every request and
// answer against the spec, and a client for its first bucket. Both are
// stopped by tb.Cleanup. It fails tb when the server cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config{appID: DefaultAppID, buckets: []string{DefaultBucket},
		creds: cosv2.Credentials{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}}
	for _, o := range opts {
		o(&cfg)
	}
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	// Without BaseURL the answers' source_url would have no scheme and host,
	// and downloads would fail ("unsupported protocol scheme").
	s, err := server.New(server.Config{AppID: cfg.appID, Buckets: cfg.buckets, SecretID: cfg.creds.SecretID,
		SecretKey: cfg.creds.SecretKey, Memory: true, Validate: true, BaseURL: url})
	if err != nil {
		hs.Close()
		tb.Fatalf("costest: %v", err)
	}
	f := &faults{list: cfg.faults, seen: map[string]int{}}
	hs.Config.Handler = f.wrap(s)
	hs.Start()
	// The HTTP server first, so no request is in flight, then the server's
	// collector and database, which would otherwise outlive the test.
	tb.Cleanup(func() {
		hs.Close()
		if err := s.Close(); err != nil {
			tb.Errorf("costest: closing the server: %v", err)
		}
	})
	srv := &Server{URL: hs.URL, AppID: cfg.appID, Buckets: cfg.buckets, Credentials: cfg.creds, tb: tb, faults: f,
		copts: cfg.copts}
	srv.Client = srv.NewClient(cfg.buckets[0])
	return srv
}

// NewClient returns a client for bucket of the server, with the options of
// WithClientOptions and then opts. It fails the test when the client cannot
// be made.
func (s *Server) NewClient(bucket string, opts ...cosv2.Option) *cosv2.Client {
	s.tb.Helper()
	all := append([]cosv2.Option{cosv2.WithEndpoint(s.URL),
		cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})},
		s.copts...)
	c, err := cosv2.New(s.AppID, bucket, s.Credentials, append(all, opts...)...)
	if err != nil {
		s.tb.Fatalf("costest: %v", err)
	}
	return c
}

// Injected returns how many faults the server has injected so far.
func (s *Server) Injected() int { return s.faults.injected() }
