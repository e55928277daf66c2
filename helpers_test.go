package cosv2_test

import (
	"net/http"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/server"
)

const (
	appID     = "1250000000"
	bucket    = "photos"
	secretID  = "AKIDtest"
	secretKey = "test-secret-key"
)

// newServer starts a local COS server in memory that validates every request
// and answer against the spec, and returns its URL.
func newServer() *httptest.Server {
	srv := httptest.NewUnstartedServer(nil)
	s, err := server.New(server.Config{AppID: appID, Buckets: []string{bucket, "other"}, SecretID: secretID, SecretKey: secretKey,
		Memory: true, Validate: true, BaseURL: "http://" + srv.Listener.Addr().String()})
	Expect(err).NotTo(HaveOccurred())
	srv.Config.Handler = s
	srv.Start()
	DeferCleanup(srv.Close)
	return srv
}

func newClient(url string, opts ...cosv2.Option) *cosv2.Client {
	opts = append([]cosv2.Option{cosv2.WithEndpoint(url), cosv2.WithRetry(cosv2.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})}, opts...)
	c, err := cosv2.New(appID, bucket, cosv2.Credentials{SecretID: secretID, SecretKey: secretKey}, opts...)
	Expect(err).NotTo(HaveOccurred())
	return c
}

// transportFunc adapts a function to http.RoundTripper.
type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
