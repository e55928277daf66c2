package cosv2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	for n := 1; ; n++ {
		resp, body, err := send(ctx) //nolint:bodyclose // the generated client has read and closed it
		if err != nil {
			err = &OpError{Op: cl.op, Path: cl.path, Err: err}
		} else {
			err = check(cl.op, cl.path, resp, body)
		}
		if err == nil {
			return nil
		}
		if n > 1 && cl.doneBefore != nil && cl.doneBefore(ctx, err) {
			return nil
		}
		if n >= p.MaxAttempts || !retryable(err, cl.idempotent) || ctx.Err() != nil {
			return err
		}
		c.log.DebugContext(ctx, "cos: retrying", "op", cl.op, "path", cl.path, "attempt", n, "err", err)
		if sleep(ctx, p.delay(n, retryAfter(resp))) != nil {
			return err
		}
	}
}

// retryable: an answer the error table marks retryable (the service did not do
// the work), or, for idempotent operations, a transport error or a 5xx.
func retryable(err error, idempotent bool) bool {
	var api *coserr.APIError
	if errors.As(err, &api) {
		if coserr.IsRetryable(err) {
			return true
		}
		return idempotent && api.HTTPStatus >= 500
	}
	return idempotent && transient(err)
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
