package costest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/gen"
)

// The operations faults can name: the API's op values.
const (
	OpCreateDir   = string(gen.Create)
	OpList        = string(gen.List)
	OpStat        = string(gen.StatFileParamsOpStat)
	OpUpdate      = string(gen.UpdateFileRequestOpUpdate)
	OpDelete      = string(gen.Delete)
	OpMove        = string(gen.MoveRequestOpMove)
	OpCopy        = string(gen.CopyRequestOpCopy)
	OpUpload      = string(gen.Upload)
	OpSliceInit   = string(gen.UploadSliceInit)
	OpSliceData   = string(gen.UploadSliceData)
	OpSliceFinish = string(gen.UploadSliceFinish)
	OpSliceList   = string(gen.UploadSliceList)
)

type fault struct {
	op   string
	n    int
	err  *cosv2.APIError // nil: drop the answer
	used bool
}

// Fail answers the nth request (counting from 1) of op with err (a sentinel
// such as cosv2.ErrFreqControl: its code and HTTP status), without doing
// the work. A retryable code is retried by the client, and a retry counts
// as a request: with slices in flight at once, the nth is the nth to
// arrive. A nil err is DropAnswer(op, n): the work is done, the answer lost.
func Fail(op string, n int, err *cosv2.APIError) Option {
	return func(c *config) { c.faults = append(c.faults, fault{op: op, n: n, err: err}) }
}

// FailSlice is Fail(OpSliceData, n, err): the nth slice sent fails.
func FailSlice(n int, err *cosv2.APIError) Option { return Fail(OpSliceData, n, err) }

// DropAnswer lets the server carry out the nth request (counting from 1) of
// op and then closes the connection instead of answering, as a network that
// fails on the way back: the client cannot tell whether the work was done.
// The connection closes after the answer's status line, so the client
// sees the loss (io.ErrUnexpectedEOF) even for a GET on a reused connection,
// which net/http would otherwise send again by itself.
func DropAnswer(op string, n int) Option {
	return func(c *config) { c.faults = append(c.faults, fault{op: op, n: n}) }
}

// lostAnswer is what a dropped answer gets through: its status line, whose
// headers never come.
const lostAnswer = "HTTP/1.1 200 OK\r\n"

// faults injects the configured faults in front of the server.
type faults struct {
	mu    sync.Mutex
	list  []fault
	seen  map[string]int
	count int
}

func (f *faults) injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count
}

// next counts a request of op and returns the fault to inject, if any.
func (f *faults) next(op string) *fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen[op]++
	for i := range f.list {
		if ft := &f.list[i]; !ft.used && ft.op == op && ft.n == f.seen[op] {
			ft.used = true
			f.count++
			return ft
		}
	}
	return nil
}

func (f *faults) wrap(next http.Handler) http.Handler {
	if len(f.list) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, err := opOf(r)
		if err != nil || op == "" {
			next.ServeHTTP(w, r)
			return
		}
		ft := f.next(op)
		switch {
		case ft == nil:
			next.ServeHTTP(w, r)
		case ft.err != nil:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(max(ft.err.HTTPStatus, http.StatusOK))
			b, _ := json.Marshal(map[string]any{"code": ft.err.Code, "message": "costest: injected " + ft.err.Name})
			_, _ = w.Write(b)
		default:
			next.ServeHTTP(httptest.NewRecorder(), r) // the work is done, the answer goes nowhere
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					// The status line, then nothing: a connection
					// closed before any byte makes net/http send a GET on a
					// reused connection again by itself, and the client
					// would never see the fault.
					_, _ = conn.Write([]byte(lostAnswer))
					_ = conn.Close()
				}
			}
		}
	})
}

// opOf returns the op of an API request: the query's op, or the body's (a
// JSON or multipart field, in any order). The body is read whole and put
// back for the server.
func opOf(r *http.Request) (string, error) {
	if op := r.URL.Query().Get("op"); op != "" || r.Method != http.MethodPost {
		return op, nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var v struct {
			Op string `json:"op"`
		}
		err := json.Unmarshal(body, &v)
		return v.Op, err
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return "", nil
				}
				return "", err
			}
			if p.FormName() == "op" {
				b, err := io.ReadAll(io.LimitReader(p, 64))
				return string(b), err
			}
		}
	}
	return "", errors.New("costest: a POST of " + strconv.Quote(mt))
}
