package cosv2

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/cosv2/cosv2/gen/coserr"
)

// RetryPolicy says how often and how long the client tries an operation again.
// The zero value means DefaultRetryPolicy. Every attempt is signed afresh.
type RetryPolicy struct {
	// MaxAttempts is the number of tries in all, the first included; 1 never retries.
	MaxAttempts int
	// BaseDelay is the wait before the second attempt; each further wait doubles, with full jitter.
	BaseDelay time.Duration
	// MaxDelay caps one wait.
	MaxDelay time.Duration
}

// DefaultRetryPolicy tries 4 times in all, waiting about 100ms, 200ms and 400ms.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}

// NoRetry makes every operation a single attempt.
var NoRetry = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) orDefault() RetryPolicy {
	if p.MaxAttempts <= 0 {
		return DefaultRetryPolicy
	}
	return p
}

// delay returns the wait before attempt n+1 (n counts from 1): full jitter over
// an exponential window, or what the server asked for in Retry-After.
func (p RetryPolicy) delay(n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, max(p.MaxDelay, retryAfter))
	}
	window := p.BaseDelay << (n - 1)
	if window <= 0 || (p.MaxDelay > 0 && window > p.MaxDelay) {
		window = p.MaxDelay
	}
	if window <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(window)) + 1)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// retryable is the one classification of the client's retries: whether
// another attempt of an operation that failed with err may succeed. It is a
// chain of small rules, each table-tested:
//
//   - cancellation and deadlines of the caller's context: never;
//   - an answer of the service: when the error table marks its code retryable
//     (the service did not do the work), or, for an idempotent operation, when
//     its HTTP status is 5xx or 429;
//   - anything else only for an idempotent operation, and only a failure of
//     the connection (refused, reset, broken pipe, a truncated answer, a
//     timeout); certificate errors, malformed answers (JSON that does not
//     decode) and answers over the size limit are not.
func retryable(err error, idempotent bool) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var api *coserr.APIError
	if errors.As(err, &api) {
		return coserr.IsRetryable(err) ||
			idempotent && (api.HTTPStatus >= 500 || api.HTTPStatus == http.StatusTooManyRequests)
	}
	return idempotent && connectionFailed(err)
}

// connectionFailed reports whether err is a failure of the connection, which
// a new connection may get past.
func connectionFailed(err error) bool {
	var (
		unknownCA   x509.UnknownAuthorityError
		badHost     x509.HostnameError
		badCert     x509.CertificateInvalidError
		unverified  *tls.CertificateVerificationError
		tlsRecord   tls.RecordHeaderError
		syntax      *json.SyntaxError
		unmarshal   *json.UnmarshalTypeError
		timeoutable interface{ Timeout() bool }
		netOp       *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &badHost), errors.As(err, &badCert),
		errors.As(err, &unverified), errors.As(err, &tlsRecord):
		return false // another attempt meets the same certificate
	case errors.As(err, &syntax), errors.As(err, &unmarshal), errors.Is(err, errTooLarge):
		return false // the answer arrived, and is wrong
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ETIMEDOUT):
		return true
	case errors.As(err, &timeoutable) && timeoutable.Timeout():
		return true
	case errors.As(err, &netOp):
		return true // dial, read or write on the network failed
	}
	return false
}
