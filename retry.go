package cosv2

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
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

// transient reports whether err is a failure of the transport (not an answer of
// the service) that another attempt may get past.
func transient(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
