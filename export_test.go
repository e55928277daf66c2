package cosv2

import "time"

// Retryable exposes the retry classification to the tests.
func Retryable(err error, idempotent bool) bool { return retryable(err, idempotent) }

// Delay exposes RetryPolicy.delay to the tests.
func Delay(p RetryPolicy, n int, retryAfter time.Duration) time.Duration {
	return p.orDefault().delay(n, retryAfter)
}

// ParseRetryAfter exposes the Retry-After parser to the tests.
func ParseRetryAfter(v string, now time.Time) time.Duration { return parseRetryAfter(v, now) }
