package cosv2_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/cosv2/cosv2"
)

// flaky fails the first n requests it sees, then passes requests to the real
// transport; it records every Authorization it was handed.
type flaky struct {
	mu    sync.Mutex
	fail  int
	with  func() (*http.Response, error)
	seen  []string
	calls int
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.calls++
	f.seen = append(f.seen, r.Header.Get("Authorization"))
	failNow := f.calls <= f.fail
	f.mu.Unlock()
	if r.Body != nil && failNow {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	if failNow {
		return f.with()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func status(code int, body string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body))}, nil
	}
}

var reset = func() (*http.Response, error) {
	return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

var _ = Describe("retries", func() {
	var url string
	BeforeEach(func() { url = newServer().URL })

	client := func(f *flaky) *cosv2.Client {
		return newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: f}))
	}

	DescribeTable("an idempotent operation is tried again, signed afresh each time",
		func(with func() (*http.Response, error)) {
			f := &flaky{fail: 2, with: with}
			c := client(f)
			Expect(c.MakeDir(context.Background(), "d/")).To(Succeed())
			f.mu.Lock()
			defer f.mu.Unlock()
			Expect(f.calls).To(Equal(3))
			Expect(f.seen[0]).NotTo(Equal(f.seen[1]))
			Expect(f.seen[1]).NotTo(Equal(f.seen[2]))
		},
		Entry("after transport errors", reset),
		Entry("after 503s without an envelope", status(503, "busy")),
		Entry("after a retryable code with HTTP 200", status(200, `{"code":-71,"message":"too frequent"}`)),
	)

	It("gives up after MaxAttempts and returns the last error", func() {
		f := &flaky{fail: 10, with: status(200, `{"code":-300,"message":"overloaded"}`)}
		err := client(f).MakeDir(context.Background(), "d/")
		Expect(err).To(MatchError(cosv2.ErrOverload))
		Expect(f.calls).To(Equal(3))
	})

	It("does not retry an answer a retry cannot change", func() {
		f := &flaky{fail: 10, with: status(200, `{"code":-177,"message":"exists"}`)}
		Expect(client(f).MakeDir(context.Background(), "d/")).To(MatchError(cosv2.ErrFileExist))
		Expect(f.calls).To(Equal(1))
	})

	It("does not repeat a move after a transport error", func() {
		f := &flaky{fail: 1, with: reset}
		err := client(f).Move(context.Background(), "a", "b")
		Expect(err).To(HaveOccurred())
		var op *cosv2.OpError
		Expect(errors.As(err, &op)).To(BeTrue())
		Expect(op.Op).To(Equal("move"))
		Expect(f.calls).To(Equal(1))
	})

	It("counts a repeated delete whose first answer was lost as done", func() {
		c := newClient(url)
		_, err := c.Put(context.Background(), "x.txt", strings.NewReader("x"), 1)
		Expect(err).NotTo(HaveOccurred())
		// The first attempt reaches the server, but its answer is lost.
		var once sync.Once
		tr := transportFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := http.DefaultTransport.RoundTrip(r)
			first := false
			once.Do(func() { first = true })
			if first && err == nil {
				resp.Body.Close()
				return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET} // the answer is lost
			}
			return resp, err
		})
		c = newClient(url, cosv2.WithHTTPClient(&http.Client{Transport: tr}))
		Expect(c.Remove(context.Background(), "x.txt")).To(Succeed())
	})

	It("stops when the context is cancelled", func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		f := &flaky{with: reset}
		Expect(client(f).MakeDir(ctx, "d/")).To(MatchError(context.Canceled))
	})
})
