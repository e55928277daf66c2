package cosv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cosv2/cosv2/gen/coserr"
)

// attempt sends one try of an operation and returns what came back.
type attempt func(ctx context.Context) (*http.Response, []byte, error)

// call is one operation as the retry loop sees it.
type call struct {
	op   string // the operation's x-cos-op, for errors and logs
	path string
	// idempotent: a transport error or a 5xx may be retried, since repeating the
	// request cannot do harm.
	idempotent bool
	// doneBefore, when set, says whether an error answered to a repeated attempt
	// means an earlier attempt already succeeded (e.g. "file exists" after an
	// upload whose answer was lost), which makes the operation safe to repeat.
	doneBefore func(ctx context.Context, err error) bool
}

// do runs the operation under the client's retry policy. Every attempt goes
// through the signing transport, so each is signed afresh.
func (c *Client) do(ctx context.Context, cl call, send attempt) error {
	p := c.retry
	maybeDone := false // an earlier attempt may have done the work
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, body, err := send(ctx) //nolint:bodyclose // parse has read and closed it
		var bad *badAnswer
		switch {
		case errors.As(err, &bad):
			// What the parser could not read may still be an answer with a
			// code, or an HTTP status that says whether to try again.
			resp = bad.resp
			if err = check(cl.op, cl.path, bad.resp, bad.body); err == nil {
				err = &OpError{Op: cl.op, Path: cl.path, Err: fmt.Errorf("%w: %w", ErrBadAnswer, bad.err)}
			}
		case err != nil:
			err = &OpError{Op: cl.op, Path: cl.path, Err: err}
		default:
			err = check(cl.op, cl.path, resp, body)
		}
		if err == nil {
			return nil
		}
		if maybeDone && cl.doneBefore != nil && cl.doneBefore(ctx, err) {
			return nil
		}
		maybeDone = maybeDone || !didNothing(err)
		if n >= p.MaxAttempts || !retryable(err, cl.idempotent) {
			return err
		}
		c.log.DebugContext(ctx, "cos: retrying", "op", cl.op, "path", cl.path, "attempt", n, "err", err)
		if serr := sleep(ctx, p.delay(n, retryAfter(resp))); serr != nil {
			return interrupted(serr, err) // also when ctx ended before the wait began
		}
	}
}

// interrupted is the error of a call that would have tried again, but whose
// context ended before or while it waited: the context's error (so errors.Is finds
// context.Canceled, and a command line knows it was interrupted), with the
// last attempt's error after it.
func interrupted(ctxErr, last error) error {
	return fmt.Errorf("%w while waiting to try again after: %w", ctxErr, last)
}

// check turns an answer into nil or an error: any code other than 0 is an
// error whatever the HTTP status, and an answer that is not the envelope is an
// error named by its HTTP status.
func check(op, path string, resp *http.Response, body []byte) error {
	var env struct {
		Code    *int   `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Code == nil {
		if resp.StatusCode >= 300 || resp.StatusCode < 200 {
			return coserr.New(resp.StatusCode, http.StatusText(resp.StatusCode), resp.StatusCode, op, path)
		}
		return &OpError{Op: op, Path: path, Err: fmt.Errorf("HTTP %d answer is not the JSON envelope", resp.StatusCode)}
	}
	if *env.Code != 0 {
		return coserr.New(*env.Code, env.Message, resp.StatusCode, op, path)
	}
	return nil
}

// ErrBadAnswer is in the error of a call whose answer said success but
// cannot be used: a body the spec's types do not read, or values the spec
// rules out (a slice size that is not one of SliceSizes, a stored slice
// outside the file). Such an answer is not retried.
var ErrBadAnswer = errors.New("cos: the answer does not follow the API")

// badValues is the *OpError of an answer whose values the spec rules out.
func badValues(op, path, format string, args ...any) error {
	return &OpError{Op: op, Path: path, Err: fmt.Errorf("%w: "+format, append([]any{ErrBadAnswer}, args...)...)}
}

// OpError is a failure that is not an answer of the service (a transport error,
// a malformed answer), with the operation and path it happened to.
type OpError struct {
	Op   string
	Path string
	Err  error
}

// Error implements error.
func (e *OpError) Error() string { return fmt.Sprintf("cos: %s %s: %v", e.Op, e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }

// parse reads an answer with p, a generated parser. An answer the parser
// cannot read (a 503 page that claims to be JSON, a field of the wrong type)
// is a *badAnswer, which keeps the status and the bytes for check.
func parse[T any](resp *http.Response, err error, p func(*http.Response) (T, error)) (T, []byte, error) {
	var zero T
	if err != nil {
		return zero, nil, err
	}
	body, err := io.ReadAll(resp.Body) // bounded by the client's limitTransport
	_ = resp.Body.Close()
	if err != nil {
		return zero, nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r, err := p(resp)
	if err != nil {
		return zero, body, &badAnswer{resp: resp, body: body, err: err}
	}
	return r, body, nil
}

// badAnswer is an answer the generated parser could not read.
type badAnswer struct {
	resp *http.Response
	body []byte
	err  error
}

func (b *badAnswer) Error() string { return "unreadable answer: " + b.err.Error() }
func (b *badAnswer) Unwrap() error { return b.err }
