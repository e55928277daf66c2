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

// RetryPolicy says how often and how long the client tries an operation
// again. It is the client's one retry layer: package uploader adds none of its
// own. Which failures are tried again is fixed (see the package doc); every
// attempt is signed afresh. The zero value means DefaultRetryPolicy().
type RetryPolicy struct {
	// MaxAttempts is the number of tries in all, the first included; 1 never retries.
	MaxAttempts int
	// BaseDelay is the wait before the second attempt; each further wait doubles, with full jitter.
	BaseDelay time.Duration
	// MaxDelay caps one wait, a server's Retry-After included; 0 means
	// DefaultMaxDelay.
	MaxDelay time.Duration
}

// DefaultMaxDelay caps one wait of a policy whose MaxDelay is 0.
const DefaultMaxDelay = 5 * time.Second

// DefaultRetryPolicy tries 4 times in all, waiting a random time of up to
// 100ms, 200ms and 400ms (full jitter), at most 5 s however long a
// Retry-After asks for.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: DefaultMaxDelay}
}

func (p RetryPolicy) orDefault() RetryPolicy {
	if p.MaxAttempts <= 0 {
		return DefaultRetryPolicy()
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	return p
}

// delay returns the wait before attempt n+1 (n counts from 1): what the
// server asked for in Retry-After, or full jitter over an exponential window;
// never more than MaxDelay.
func (p RetryPolicy) delay(n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.MaxDelay)
	}
	if p.BaseDelay <= 0 || p.MaxDelay <= 0 {
		return 0
	}
	window := p.MaxDelay
	if n-1 < 62 && p.BaseDelay<<(n-1) > 0 && p.BaseDelay<<(n-1) < window {
		window = p.BaseDelay << (n - 1)
	}
	return time.Duration(rand.Int64N(int64(window)) + 1) //nolint:gosec // jitter needs no secret randomness
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

// retryAfter reads an answer's Retry-After: delay-seconds or an HTTP-date
// (RFC 9110, 10.2.3); 0 when there is none or it has passed, the longest
// Duration when it asks for longer (the policy's MaxDelay caps it).
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		const longest = time.Duration(1<<63 - 1)
		switch {
		case s <= 0:
			return 0 // a negative wait is no delay-seconds; a huge negative one overflows too
		case err != nil || s > int64(longest/time.Second):
			return longest // longer than a Duration: the policy's MaxDelay caps it
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// retryable is the one classification of the client's retries: whether
// another attempt of an operation that failed with err may succeed. It is a
// chain of small rules, each table-tested:
//
//   - cancellation and deadlines of the caller's context: never;
//   - an answer of the service: when the error table marks its (negative)
//     code retryable, which says the service did not do the work; or, for an
//     idempotent operation, when its HTTP status is 5xx or 429;
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
		// An answer that says the work was not done is retried whatever the
		// op. A bare HTTP status (a proxy's 503 or 504, code = status) does
		// not say that, so it is retried only when repeating is harmless.
		return didNothing(err) ||
			idempotent && (api.HTTPStatus >= 500 || api.HTTPStatus == http.StatusTooManyRequests)
	}
	return idempotent && connectionFailed(err)
}

// didNothing reports whether err says the service did not do the work: a
// code of the service (negative) the table marks retryable. Anything else (a
// lost answer, a proxy's bare status) may come after the work was done.
func didNothing(err error) bool {
	var api *coserr.APIError
	return errors.As(err, &api) && api.Code < 0 && coserr.IsRetryable(err)
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
	case errors.As(err, &syntax), errors.As(err, &unmarshal), errors.Is(err, ErrResponseTooLarge), errors.Is(err, ErrBadAnswer):
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
