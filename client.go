package cosv2

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/signer"
)

// Credentials are the project's API key pair.
type Credentials struct {
	SecretID  string
	SecretKey string
}

// Client calls the COS JSON API for one bucket: one method per operation,
// each signed, retried under its RetryPolicy and checked (see the package
// doc). It is safe for concurrent use.
type Client struct {
	appid    string
	bucket   string
	endpoint string
	api      *gen.ClientWithResponses
	raw      *http.Client // not the signing transport's: downloads sign themselves
	sign     *signer.Signer
	signTTL  time.Duration
	ua       string
	retry    RetryPolicy
	log      *slog.Logger
}

type config struct {
	region    string
	endpoint  string
	http      *http.Client
	retry     RetryPolicy
	log       *slog.Logger
	userAgent string
	now       func() time.Time
	signTTL   time.Duration
}

// Option configures a Client.
type Option func(*config)

// WithRegion selects the regional endpoint https://<region>.file.myqcloud.com
// (default "sh").
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithEndpoint sets the API's base URL, e.g. a local server's http://127.0.0.1:8089;
// it takes precedence over WithRegion.
func WithEndpoint(url string) Option { return func(c *config) { c.endpoint = url } }

// WithHTTPClient sets the HTTP client; its Transport sends the signed requests.
// The default has a 2 min response-header timeout and no overall
// timeout, since uploads and downloads can be long: bound calls with the context.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.http = hc } }

// WithRetry replaces the retry policy (default DefaultRetryPolicy()).
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithLogger logs retries and failures at debug level.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithClock sets the clock signatures are made with (tests, or a skewed host).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithSignatureTTL sets how long multi-use signatures are valid (default 5 min).
func WithSignatureTTL(d time.Duration) Option { return func(c *config) { c.signTTL = d } }

// UserAgent is the default User-Agent header.
const UserAgent = "cosv2-go/0.1"

// New returns a client for bucket of project appid, signing with creds. It
// sends nothing; it fails only on missing arguments. Requests go to
// https://<region>.file.myqcloud.com (WithRegion, default "sh") or
// WithEndpoint, with the retry policy, HTTP client and signature lifetime the
// options set.
func New(appid, bucket string, creds Credentials, opts ...Option) (*Client, error) {
	cfg := config{region: "sh", userAgent: UserAgent, now: time.Now, signTTL: 5 * time.Minute}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if appid == "" || bucket == "" {
		return nil, errors.New("cos: appid and bucket are required")
	}
	if creds.SecretID == "" || creds.SecretKey == "" {
		return nil, errors.New("cos: secret id and secret key are required")
	}
	if cfg.endpoint == "" {
		if cfg.region == "" {
			return nil, errors.New("cos: a region or an endpoint is required")
		}
		cfg.endpoint = "https://" + cfg.region + ".file.myqcloud.com"
	}
	cfg.endpoint = strings.TrimSuffix(cfg.endpoint, "/")
	if cfg.http == nil {
		cfg.http = defaultHTTPClient()
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	s, err := signer.New(signer.Credentials{AppID: appid, SecretID: creds.SecretID, SecretKey: creds.SecretKey},
		signer.WithClock(cfg.now), signer.WithTTL(cfg.signTTL))
	if err != nil {
		return nil, fmt.Errorf("cos: %w", err)
	}
	signed := *cfg.http
	base := cfg.http.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	signed.Transport = limitTransport{base: signer.NewTransport(base, s), limit: MaxResponseBytes}
	ua := cfg.userAgent
	api, err := gen.NewClientWithResponses(cfg.endpoint,
		gen.WithHTTPClient(&signed),
		gen.WithRequestEditorFn(gen.KeepSlashes),
		gen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("User-Agent", ua)
			return nil
		}))
	if err != nil {
		return nil, fmt.Errorf("cos: %w", err)
	}
	return &Client{
		appid: appid, bucket: bucket, endpoint: cfg.endpoint, api: api, raw: cfg.http,
		sign: s, signTTL: cfg.signTTL, ua: cfg.userAgent, retry: cfg.retry.orDefault(), log: cfg.log,
	}, nil
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Finishing a slice upload of gigabytes can take a while on a server
	// that assembles and hashes the file before it answers.
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}

// AppID returns the project the client addresses.
func (c *Client) AppID() string { return c.appid }

// Bucket returns the bucket the client addresses.
func (c *Client) Bucket() string { return c.bucket }
