// Package server is a local COS v2 server: the JSON API of
// /files/v2/<appid>/<bucket>/<path> with its document's semantics, kept on
// disk, in an S3-compatible store (Config.Blobs) or in memory, checking every request's signature, and, with
// Config.Validate, checking every request and answer against spec/cos-v2.yaml.
// The client, the CLI and users' tests run against it since the real service
// cannot be reached from everywhere.
//
// It is written to face a hostile peer. An API request's signature is
// authenticated from its URL and Authorization header before its body is
// read; the body then waits for its share of Limits.BodyMemory; the kind of
// signature the operation needs is checked once op is known. Private files
// (authority eWRPrivate, or files of Config.PrivateBuckets) download only with
// a multi-use signature. One-time signatures must be within Limits.OnceWindow
// of the clock and are kept in the store until they leave it, so a replay is
// refused across restarts. Storage errors answer -181 without the server's
// paths (507 when full) and are logged.
//
// Limits, fixed: a path is at most 1000 bytes and a name 255 bytes, valid
// UTF-8 without control characters, backslashes, "." or ".." segments; a
// simple upload at most 20 MB (MaxSimpleUpload) and a body MaxBody; a slice at
// most its session's slice size; a file MaxFileSize (1 TiB); a JSON body 64
// KB, without duplicate keys, nested at most 32 deep; a form MaxParts (16) parts of MaxPartHeader (4
// KB) header each; a download's Range MaxRanges (16) ranges, more get the
// whole file; list num 1 to 1000; numbers in decimal digits; custom
// headers the document's five and x-cos-meta-*, MaxCustomHeaders (32) per
// file of MaxHeaderValue (1 KB). Limits, configurable (Limits, DefaultLimits,
// and the flags of `cosv2 serve`): connections at once (1024, 128 of one
// remote address; one more gets 503 -300), header, request, answer and idle timeouts (10 s, 2 min, 2 min
// with each 32 KB of a download, 1 min), header bytes (64 KB), body memory
// (256 MB), the one-time window (15 min) and the one-time signatures kept
// within it (1<<20; when full, -300 until some expire).
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/signer"
)

// Config configures a Server.
type Config struct {
	AppID     string
	Buckets   []string
	SecretID  string
	SecretKey string
	// DataDir holds the data unless Memory is set: the metadata in
	// DataDir/meta.db (SQLite) unless Meta names a database, the bytes in
	// DataDir/blobs.
	DataDir string
	// Memory keeps everything in memory (an in-memory SQLite database unless
	// Meta names one), for tests.
	Memory bool
	// Meta is a PostgreSQL URL (postgres://...) to keep the metadata in, so
	// several servers can share buckets; empty means SQLite.
	Meta string
	// Blobs, when set, is an S3-compatible bucket to keep the bytes in,
	// s3://bucket or s3://bucket/prefix, reached at S3Endpoint (host:port or
	// http(s)://host:port; empty: AWS) with S3AccessKey and S3SecretKey in
	// S3Region. The metadata stays in SQLite under DataDir unless Meta names
	// a database; Memory cannot be set with it.
	Blobs       string
	S3Endpoint  string
	S3AccessKey string
	S3SecretKey string
	S3Region    string
	// InlineMax is the size up to which a file's bytes are kept in the
	// metadata database rather than the blob store; 0 means
	// DefaultInlineMax, a negative value none.
	InlineMax int
	// SessionTTL is how long an unfinished slice upload lives from its init
	// (this server's choice: the document is silent); 0 means 72 hours.
	SessionTTL time.Duration
	// DropGrace is how long the bytes of a file deleted or replaced stay
	// before the collector may take them, for the downloads reading them;
	// a download still reading them then keeps them until it ends, at this
	// server or another one sharing the database. 0 means 2 minutes; a
	// negative value none (downloads at other servers may then break).
	DropGrace time.Duration
	// Validate checks every request and answer against the spec (on in tests).
	Validate bool
	// BaseURL is the public base of the URLs in answers, e.g.
	// http://127.0.0.1:8089; empty means the scheme and Host of each request.
	BaseURL string
	// PrivateBuckets are the buckets whose files are private unless a file's
	// own authority says otherwise (eWPrivateRPublic): downloading one needs a
	// multi-use signature. The files of other buckets are public-read unless
	// their authority is eWRPrivate.
	PrivateBuckets []string
	// Limits bound what peers can hold; zero fields take DefaultLimits.
	Limits Limits
	// CORSOrigins are the origins whose pages may call the server from a
	// browser ("*": any); none sends no CORS headers. See cors.go.
	CORSOrigins []string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Server serves the COS v2 JSON API and downloads. It is an http.Handler.
type Server struct {
	cfg      Config
	meta     *meta
	blobs    blobs
	nonces   *nonces
	gc       *collector
	reads    reads // the blob keys this server's downloads read (reads.go)
	verify   *signer.Verifier
	validate *validator
	log      *slog.Logger
	bodies   *semaphore.Weighted // Limits.BodyMemory

	hashMu sync.Mutex
	hashes map[string]*sliceHash // session id → its running hash
	bg     sync.WaitGroup        // hashes running after their request answered

	afterEndPart atomic.Pointer[func(p []byte)] // a test's hook between a slice's endPart and its hashSlice; nil
	finishLost   atomic.Pointer[func()]         // a test's hook before an insertOnly finish that lost drops its session; nil
}

// New opens the store and returns a Server.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	var store blobs
	dsn := cfg.Meta
	switch {
	case cfg.Blobs != "" && cfg.Memory:
		return nil, errors.New("server: Blobs and Memory exclude each other: bytes in S3 would outlive metadata kept in memory")
	case cfg.Blobs != "":
		if dsn == "" {
			if cfg.DataDir == "" {
				return nil, errors.New("server: with Blobs, a data directory (for the metadata) or Meta is required")
			}
			if err := refuseOldFormat(cfg.DataDir); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("server: %w", err)
			}
			dsn = filepath.Join(cfg.DataDir, "meta.db")
		}
		if store, err = newS3Blobs(context.Background(), cfg.Blobs,
			s3Options{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, Region: cfg.S3Region}); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
	case cfg.Memory:
		store = newMemBlobs()
	default:
		if cfg.DataDir == "" {
			return nil, errors.New("server: a data directory is required without Memory")
		}
		if err := refuseOldFormat(cfg.DataDir); err != nil {
			return nil, err
		}
		d, err := newDiskBlobs(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		store = d
		if dsn == "" {
			dsn = filepath.Join(cfg.DataDir, "meta.db")
		}
	}
	return newServer(cfg, dsn, store)
}

func newServer(cfg Config, dsn string, store blobs) (*Server, error) {
	ctx := context.Background()
	m, err := openMeta(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("server: opening the metadata: %w", err)
	}
	if err := m.checkByteStore(ctx, store, dsnName(dsn)); err != nil {
		_ = m.close()
		if c, ok := store.(interface{ close() error }); ok {
			_ = c.close()
		}
		return nil, err
	}
	n, err := newNonces(ctx, m, cfg.Now, cfg.Limits.OnceWindow, cfg.Limits.MaxNonces)
	if err != nil {
		_ = m.close()
		return nil, fmt.Errorf("server: the one-time signatures seen: %w", err)
	}
	s := &Server{cfg: cfg, meta: m, blobs: store, nonces: n, log: cfg.Logger, bodies: semaphore.NewWeighted(cfg.Limits.BodyMemory),
		hashes: map[string]*sliceHash{},
		verify: &signer.Verifier{Keys: signer.Keys{cfg.SecretID: cfg.SecretKey}, Now: cfg.Now, Replay: n, OnceWindow: cfg.Limits.OnceWindow}}
	if cfg.Validate {
		if s.validate, err = newValidator(); err != nil {
			_ = m.close()
			return nil, err
		}
	}
	s.gc = startCollector(s)
	return s, nil
}

// Close stops the background collection and closes the metadata database;
// requests must be over.
func (s *Server) Close() error {
	s.bg.Wait()
	s.gc.close()
	if c, ok := s.blobs.(interface{ close() error }); ok {
		_ = c.close()
	}
	return s.meta.close()
}

// refuseOldFormat refuses a data directory of the format before the
// metadata moved to a database (meta/, data/, sess/), deleting nothing.
func refuseOldFormat(dir string) error {
	for _, d := range []string{"meta", "data", "sess"} {
		if st, err := os.Stat(filepath.Join(dir, d)); err == nil && st.IsDir() {
			return fmt.Errorf("server: %s holds data in the format of an earlier cosv2 serve (%s/); this one keeps its metadata in a database "+
				"and cannot read it: start with a new --data directory (nothing was changed or deleted)", dir, d)
		}
	}
	return nil
}

// normalize checks cfg and fills in its defaults.
func (cfg Config) normalize() (Config, error) {
	if cfg.AppID == "" || len(cfg.Buckets) == 0 || cfg.SecretID == "" || cfg.SecretKey == "" {
		return cfg, errors.New("server: appid, at least one bucket, secret id and secret key are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.InlineMax == 0 {
		cfg.InlineMax = DefaultInlineMax
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 72 * time.Hour
	}
	if cfg.DropGrace == 0 {
		cfg.DropGrace = 2 * time.Minute
	}
	for _, b := range cfg.PrivateBuckets {
		if !slices.Contains(cfg.Buckets, b) {
			return cfg, fmt.Errorf("server: private bucket %q is not one of the buckets served", b)
		}
	}
	return cfg, nil
}

// apiError is an answer with a non-zero code.
type apiError struct {
	code   *coserr.APIError
	msg    string
	status int   // the HTTP status when not the code's own
	cause  error // logged, never sent: it may name server paths
}

// storeFailed is the answer to a failure of the server's own storage. The
// peer learns that storage failed, or is full; the detail, which names files
// of the data directory, goes to the log only.
func storeFailed(err error) *apiError {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || strings.Contains(err.Error(), "SQLITE_FULL") {
		return &apiError{code: coserr.ErrCmdError, msg: "the server's storage is full", status: http.StatusInsufficientStorage, cause: err}
	}
	return &apiError{code: coserr.ErrCmdError, msg: "the server's storage failed", cause: err}
}

func (e *apiError) Error() string { return e.msg }

// Unwrap gives the code and the cause, so errors.Is(aerr,
// coserr.ErrFileExist) holds and a transaction sees a database's conflict.
func (e *apiError) Unwrap() []error {
	if e == nil {
		return nil
	}
	var out []error
	if e.code != nil {
		out = append(out, e.code)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

func fail(sentinel *coserr.APIError, format string, args ...any) *apiError {
	return &apiError{code: sentinel, msg: fmt.Sprintf(format, args...)}
}

// reply is a success answer's data (nil for none).
type reply struct{ data any }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lw := &logged{ResponseWriter: w}
	w = lw
	defer s.logRequest(r, lw)
	defer func() {
		if v := recover(); v != nil {
			// The path, not the URL: a query's sign= opens the file to whoever reads the log.
			s.log.Error("server: panic", "panic", v, "method", r.Method, "path", r.URL.Path)
			writeEnvelope(w, http.StatusInternalServerError, coserr.ErrUnknown.Code, "internal error", nil)
		}
	}()
	markAnswering(r)
	if s.cors(w, r) {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/files/v2/") {
		s.serveAPI(w, r)
		return
	}
	s.serveDownload(w, r)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	req, aerr := s.parse(w, r)
	defer req.release()
	var out *reply
	if aerr == nil {
		out, aerr = s.dispatch(context.WithValue(r.Context(), baseKey{}, s.baseURL(r)), req)
	}
	if aerr != nil {
		status := aerr.code.HTTPStatus
		// The table's 500s are the service's own faults; here only storage is.
		if status == 0 || status == 500 && aerr.cause == nil {
			status = http.StatusBadRequest
		}
		if aerr.status != 0 {
			status = aerr.status
		}
		if aerr.cause != nil {
			s.log.Error("server: storage failed", "method", r.Method, "path", r.URL.Path, "err", aerr.cause)
		}
		s.answer(w, req, status, aerr.code.Code, aerr.msg, nil)
		return
	}
	var data any
	if out != nil {
		data = out.data
	}
	s.answer(w, req, http.StatusOK, 0, "SUCCESS", data)
}

func (s *Server) answer(w http.ResponseWriter, req *request, status, code int, msg string, data any) {
	body := envelope(code, msg, data)
	if s.validate != nil && req != nil && req.op != nil {
		if err := s.validate.response(req, status, body); err != nil {
			s.log.Error("server: answer does not match the spec", "op", req.op.ID, "err", err)
			status, code = http.StatusInternalServerError, coserr.ErrUnknown.Code
			body = envelope(code, "server answer failed the spec: "+err.Error(), nil)
		}
	}
	op, path := "", ""
	if req != nil && req.op != nil {
		op, path = req.op.Op, req.path
	}
	note(w, op, path, code)
	// However long the body and the operation took, the answer gets its own
	// WriteTimeout (http.Server's counts from the request's header).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.Limits.WriteTimeout))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func envelope(code int, msg string, data any) []byte {
	m := map[string]any{"code": code, "message": msg}
	if data != nil {
		m["data"] = data
	}
	b, _ := json.Marshal(m)
	return b
}

func writeEnvelope(w http.ResponseWriter, status, code int, msg string, data any) {
	if l, ok := w.(*logged); ok {
		l.code = code
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(envelope(code, msg, data))
}

// dispatch runs the operation.
func (s *Server) dispatch(ctx context.Context, q *request) (*reply, *apiError) {
	if aerr := checkStoredText(q); aerr != nil {
		return nil, aerr
	}
	switch q.op.Fragment {
	case gen.FragmentCreateDirectory:
		return s.createDir(ctx, q)
	case gen.FragmentListDirectory:
		return s.listDir(ctx, q)
	case gen.FragmentStatDirectory:
		return s.statDir(ctx, q)
	case gen.FragmentUpdateDirectory:
		return s.updateDir(ctx, q)
	case gen.FragmentDeleteDirectory:
		return s.deleteNode(ctx, q)
	case gen.FragmentUploadFile:
		return s.upload(ctx, q)
	case gen.FragmentUploadSliceInit:
		return s.sliceInit(ctx, q)
	case gen.FragmentUploadSliceData:
		return s.sliceData(ctx, q)
	case gen.FragmentUploadSliceFinish:
		return s.sliceFinish(ctx, q)
	case gen.FragmentUploadSliceList:
		return s.sliceList(ctx, q)
	case gen.FragmentStatFile:
		return s.statFile(ctx, q)
	case gen.FragmentUpdateFile:
		return s.updateFile(ctx, q)
	case gen.FragmentDeleteFile:
		return s.deleteNode(ctx, q)
	case gen.FragmentMoveFile, gen.FragmentCopyFile:
		return s.moveOrCopy(ctx, q)
	}
	return nil, fail(coserr.ErrCGIParam, "operation %s is not served", q.op.ID)
}
