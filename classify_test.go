package cosv2_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen/coserr"
)

// viaClient wraps err as net/http's client does.
func viaClient(err error) error {
	return &url.Error{Op: "Post", URL: "http://x/files/v2/1/b/f", Err: err}
}

var _ = Describe("the retry classification", func() {
	var syntaxErr error
	BeforeEach(func() { syntaxErr = json.Unmarshal([]byte("busy"), new(any)) })

	DescribeTable("decides which failures another attempt may get past",
		func(err func() error, idempotent, want bool) {
			Expect(cosv2.Retryable(err(), idempotent)).To(Equal(want))
		},
		Entry("a retryable code (-71), idempotent", func() error { return cosv2.ErrFreqControl }, true, true),
		Entry("a retryable code (-71), not idempotent: the service did no work", func() error { return cosv2.ErrFreqControl }, false, true),
		Entry("a code a retry cannot change (-177)", func() error { return cosv2.ErrFileExist }, true, false),
		Entry("HTTP 503, idempotent", func() error { return coserr.New(503, "unavailable", 503, "stat", "/f") }, true, true),
		Entry("HTTP 503, not idempotent", func() error { return coserr.New(503, "unavailable", 503, "move", "/f") }, false, false),
		Entry("HTTP 429, idempotent", func() error { return coserr.New(429, "slow down", 429, "stat", "/f") }, true, true),
		Entry("HTTP 404", func() error { return coserr.New(-197, "no such file", 404, "stat", "/f") }, true, false),
		Entry("connection reset", func() error {
			return viaClient(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
		}, true, true),
		Entry("connection refused", func() error {
			return viaClient(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
		}, true, true),
		Entry("connection reset, not idempotent", func() error {
			return viaClient(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
		}, false, false),
		Entry("an answer cut short", func() error { return viaClient(io.ErrUnexpectedEOF) }, true, true),
		Entry("the server closed before answering", func() error { return viaClient(io.EOF) }, true, true),
		Entry("a timeout", func() error { return viaClient(timeout{}) }, true, true),
		Entry("an unknown certificate authority", func() error {
			return viaClient(x509.UnknownAuthorityError{})
		}, true, false),
		Entry("a certificate for another host", func() error {
			return viaClient(x509.HostnameError{Host: "x"})
		}, true, false),
		Entry("JSON that does not decode", func() error { return fmt.Errorf("parse: %w", syntaxErr) }, true, false),
		Entry("an answer the spec rules out", func() error { return viaClient(cosv2.ErrBadAnswer) }, true, false),
		Entry("an answer over the size limit", func() error { return viaClient(cosv2.ErrResponseTooLarge) }, true, false),
		Entry("an unknown error", func() error { return errors.New("something else") }, true, false),
		Entry("the caller's cancellation", func() error { return viaClient(context.Canceled) }, true, false),
		Entry("the caller's deadline", func() error { return viaClient(context.DeadlineExceeded) }, true, false),
	)
})

type timeout struct{}

func (timeout) Error() string { return "i/o timeout" }
func (timeout) Timeout() bool { return true }

var _ = Describe("the retry delays", func() {
	p := cosv2.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	now := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)

	DescribeTable("never exceed MaxDelay, whatever Retry-After asks",
		func(n int, retryAfter time.Duration, atMost time.Duration) {
			d := cosv2.Delay(p, n, retryAfter)
			Expect(d).To(BeNumerically(">", 0))
			Expect(d).To(BeNumerically("<=", atMost))
		},
		Entry("the first wait: within BaseDelay", 1, time.Duration(0), time.Millisecond),
		Entry("the third wait: within 4 × BaseDelay", 3, time.Duration(0), 4*time.Millisecond),
		Entry("the 80th wait: capped, no overflow", 80, time.Duration(0), 5*time.Millisecond),
		Entry("Retry-After: 30 s, capped at MaxDelay", 1, 30*time.Second, 5*time.Millisecond),
		Entry("Retry-After below MaxDelay is kept", 1, 2*time.Millisecond, 2*time.Millisecond),
	)

	It("waits MaxDelay, not a short backoff, when Retry-After asks for longer than a Duration holds", func() {
		Expect(cosv2.Delay(p, 1, cosv2.ParseRetryAfter("99999999999", now))).To(Equal(p.MaxDelay))
	})

	It("caps the default policy's waits at DefaultMaxDelay", func() {
		Expect(cosv2.Delay(cosv2.RetryPolicy{}, 1, time.Hour)).To(Equal(cosv2.DefaultMaxDelay))
		Expect(cosv2.DefaultRetryPolicy().MaxDelay).To(Equal(cosv2.DefaultMaxDelay))
	})

	DescribeTable("reads both forms of Retry-After",
		func(v string, want time.Duration) {
			Expect(cosv2.ParseRetryAfter(v, now)).To(Equal(want))
		},
		Entry("delay-seconds", "30", 30*time.Second),
		Entry("an HTTP-date", "Thu, 26 Nov 2026 06:00:07 GMT", 7*time.Second),
		Entry("an HTTP-date in the past", "Thu, 26 Nov 2026 05:00:00 GMT", time.Duration(0)),
		Entry("zero", "0", time.Duration(0)),
		Entry("negative", "-5", time.Duration(0)),
		Entry("garbage", "soon", time.Duration(0)),
		Entry("delay-seconds past what a Duration holds: as long as can be", "9223372037", time.Duration(math.MaxInt64)),
		Entry("delay-seconds past an int64: as long as can be", "99999999999999999999999", time.Duration(math.MaxInt64)),
		Entry("absent", "", time.Duration(0)),
	)
})
