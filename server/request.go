package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"strings"

	"golang.org/x/sync/semaphore"

	"github.com/cosv2/cosv2/gen"
	"github.com/cosv2/cosv2/gen/coserr"
	"github.com/cosv2/cosv2/internal/rules"
	"github.com/cosv2/cosv2/signer"
)

// Limits of what the server reads.
const (
	MaxSimpleUpload = rules.MaxSimpleUpload // the document's limit for a simple upload
	MaxBody         = MaxSimpleUpload + 1<<20
	MaxJSON         = 64 << 10
	MaxField        = 64 << 10
	MaxUploadParts  = 4 << 20
	MaxPath         = rules.MaxPath
	MaxName         = rules.MaxName
	MaxListNum      = rules.MaxListNum // the largest num of a list
	MaxParts        = 16               // parts of a form: the largest the SDKs send has 7
	MaxPartHeader   = 4 << 10          // header bytes of one part
	MaxRanges       = 16               // ranges of a download's Range header; more get the whole file
	MaxFileSize     = 1 << 40          // this server's limit (the document names none): 1 TiB
)

// request is an API request, parsed.
type request struct {
	r       *http.Request
	bucket  string
	path    string // decoded, with its leading "/"
	target  string // "dir" or "file"
	op      *gen.Operation
	fields  map[string]string // query, JSON strings and form fields
	json    map[string]json.RawMessage
	file    []byte // filecontent: a slice of body or of arena
	hasFile bool
	body    []byte // the raw body, for validation
	arena   []byte // the parts' data when mime/multipart parsed the body

	budget   *semaphore.Weighted // where reserved goes back
	reserved int64
}

func byCode(code int) *coserr.APIError {
	if e, ok := coserr.Lookup(code); ok {
		return &coserr.APIError{Code: code, Name: e.Name, HTTPStatus: e.HTTPStatus}
	}
	return &coserr.APIError{Code: code, HTTPStatus: http.StatusBadRequest}
}

// parse reads an API request in the order that keeps an unauthenticated peer
// cheap: the URL and the signature first (one HMAC, nothing read of the
// body), then a share of Limits.BodyMemory, then the body, the operation,
// and last the signature's kind and one-time use.
func (s *Server) parse(w http.ResponseWriter, r *http.Request) (*request, *apiError) {
	rest := strings.TrimPrefix(r.URL.Path, "/files/v2/")
	appid, rest, _ := strings.Cut(rest, "/")
	bucket, path, ok := strings.Cut(rest, "/")
	if appid != s.cfg.AppID {
		return nil, fail(coserr.ErrInvalidAppID, "appid %q is not served here", appid)
	}
	if !ok || !s.hasBucket(bucket) {
		return nil, fail(coserr.ErrBucketNotMatch, "bucket %q is not served here", bucket)
	}
	q := &request{r: r, bucket: bucket, path: "/" + path, fields: map[string]string{}}
	if aerr := checkPath(q.path); aerr != nil {
		return nil, aerr
	}
	q.target = "file"
	if strings.HasSuffix(q.path, "/") {
		q.target = "dir"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, fail(coserr.ErrReqMethod, "method %s is not served; use GET or POST", r.Method)
	}
	sig, aerr := s.authenticate(q)
	if aerr != nil {
		return nil, aerr
	}
	if r.ContentLength > MaxBody {
		return nil, fail(coserr.ErrSliceTooLarge, "the body is over %d bytes", MaxBody)
	}
	if aerr := q.reserve(s.bodies); aerr != nil {
		return nil, aerr
	}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			q.fields[k] = v[0]
		}
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, MaxBody), r.ContentLength)
	if err != nil {
		q.release()
		if tooBig(err) {
			return nil, fail(coserr.ErrSliceTooLarge, "the body is over %d bytes", MaxBody)
		}
		return nil, fail(coserr.ErrCGIParam, "reading the body: %v", err)
	}
	// Read whole, then parsed: multipart's own reads of the network are 4 KB
	// each, which measured slower than one large read and a parse in memory.
	q.body = body
	if aerr := q.readBody(); aerr != nil {
		return q, aerr
	}
	if aerr := q.resolve(); aerr != nil {
		return q, aerr
	}
	if aerr := s.authorize(q, sig); aerr != nil {
		return q, aerr
	}
	if q.op.Op == "list" {
		// The document's own code for a bad num, before the spec's generic refusal.
		if n, ok := decimal(q.fields["num"], MaxListNum); !ok || !rules.ValidListNum(int(n)) {
			return q, fail(coserr.ErrInvalidListNum, "num %q: want 1 to %d", q.fields["num"], MaxListNum)
		}
	}
	if s.validate != nil {
		if err := s.validate.request(q); err != nil {
			return q, fail(coserr.ErrCGIParam, "request does not match the spec: %v", err)
		}
	}
	return q, nil
}

func (s *Server) hasBucket(b string) bool {
	for _, x := range s.cfg.Buckets {
		if x == b {
			return true
		}
	}
	return false
}

// checkPath refuses paths that could escape a namespace or that the service
// does not accept: the rules the client applies too (internal/rules).
func checkPath(p string) *apiError {
	err := rules.Check(p)
	var pe *rules.PathError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe) && pe.Problem == rules.NotUTF8:
		return fail(coserr.ErrNotUTF8, "the path is not UTF-8")
	}
	return fail(coserr.ErrInvalidPath, "%v", err)
}

func (q *request) readBody() *apiError {
	if len(q.body) == 0 {
		return nil
	}
	mt, params, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if len(q.body) > MaxJSON {
			return fail(coserr.ErrJSONParse, "a JSON body is at most %d bytes", MaxJSON)
		}
		if err := decodeObject(q.body, &q.json); err != nil {
			return fail(coserr.ErrJSONParse, "the body is not a JSON object: %v", err)
		}
		for k, v := range q.json {
			var s string
			var n json.Number
			switch {
			case json.Unmarshal(v, &s) == nil:
				q.fields[k] = s
			case json.Unmarshal(v, &n) == nil:
				// The document's Int fields, sent as numbers: their digits,
				// as a form sends them (a fraction or exponent is refused
				// where the field is read).
				q.fields[k] = n.String()
			}
		}
	case "multipart/form-data":
		return q.readForm(params["boundary"])
	default:
		return fail(coserr.ErrFormError, "Content-Type %q: want application/json or multipart/form-data", mt)
	}
	return nil
}

// readForm reads every part before dispatching: the official Python SDK sends
// op last. At most MaxParts parts of at most MaxPartHeader header bytes each.
// The parts' data stay where they are in the body when splitForm finds them
// there; filecontent is then a slice of q.body.
func (q *request) readForm(boundary string) *apiError {
	if boundary == "" {
		return fail(coserr.ErrFormError, "multipart body without a boundary")
	}
	parts, ok := splitForm(q.body, boundary)
	if !ok {
		var err error
		parts, q.arena, err = readParts(q.body, boundary, getBuf(len(q.body)))
		if errors.Is(err, errTooManyParts) {
			return fail(coserr.ErrFormError, "a form has at most %d parts", MaxParts)
		}
		if err != nil {
			return fail(coserr.ErrFormError, "%v", err)
		}
	}
	for _, p := range parts {
		if n := headerBytes(p.header); n > MaxPartHeader {
			return fail(coserr.ErrFormError, "a part's header is %d bytes, at most %d", n, MaxPartHeader)
		}
		name := p.name()
		if name == "fileContent" { // the Java SDK's name, and the document's example's
			name = "filecontent"
		}
		if _, dup := q.fields[name]; dup || name == "filecontent" && q.hasFile {
			return fail(coserr.ErrFormError, "part %q is sent twice", name)
		}
		switch {
		case name == "filecontent" && len(p.data) > MaxSimpleUpload:
			return fail(coserr.ErrSliceTooLarge, "part %q is over %d bytes", name, MaxSimpleUpload)
		case name == "uploadparts" && len(p.data) > MaxUploadParts, // one entry per slice: 8192 of them for 4 GB in 512 KB slices
			name != "filecontent" && name != "uploadparts" && len(p.data) > MaxField:
			return fail(coserr.ErrSliceTooLarge, "part %q is too long", name)
		}
		if name == "filecontent" {
			q.file, q.hasFile = p.data, true
			continue
		}
		q.fields[name] = string(p.data)
	}
	return nil
}

// tooBig: the body went past MaxBody.
func tooBig(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

func headerBytes(h textproto.MIMEHeader) (n int) {
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// readBody reads r whole into one buffer sized by the expected length, so a
// slice body is not copied through repeated growth.
func readBody(r io.Reader, expect int64) ([]byte, error) {
	if expect <= 0 || expect > MaxBody {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(getBuf(int(expect) + bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// release gives the request's buffers back once its answer is written.
func (q *request) release() {
	if q == nil {
		return
	}
	putBuf(q.body)
	putBuf(q.arena)
	q.body, q.file, q.arena = nil, nil, nil
	if q.reserved > 0 {
		q.budget.Release(q.reserved)
		q.reserved = 0
	}
}

// reserve takes the memory the body will need from the server's budget,
// waiting for requests in flight to give theirs back; a body of unknown
// length takes MaxBody.
func (q *request) reserve(budget *semaphore.Weighted) *apiError {
	n := q.r.ContentLength
	if n < 0 || n > MaxBody {
		n = MaxBody
	}
	if n == 0 {
		return nil
	}
	n += bytes.MinRead // readBody's headroom
	if err := budget.Acquire(q.r.Context(), n); err != nil {
		return fail(coserr.ErrOverload, "the server is busy: %v", err)
	}
	q.budget, q.reserved = budget, n
	return nil
}

// resolve finds the operation from the method, the kind of path and op.
func (q *request) resolve() *apiError {
	op, ok := q.fields["op"]
	if !ok || op == "" {
		return fail(coserr.ErrMissingOp, "op is missing")
	}
	method := q.r.Method
	target := q.target
	if method == http.MethodGet && op == "list" {
		target = "dir" // a directory followed by a name prefix
	}
	var other bool
	for _, o := range gen.Operations() {
		if o.Op != op || o.Method != method {
			continue
		}
		if o.Target == target {
			o := o
			q.op = &o
			return nil
		}
		other = true
	}
	if other && target == "file" {
		return fail(coserr.ErrDirMissingSlash, "op %s is for directories: end the path with /", op)
	}
	if other {
		return fail(coserr.ErrFileSurplusSlash, "op %s is for files: drop the trailing /", op)
	}
	return fail(coserr.ErrCGIParam, "unknown op %q for %s %s", op, method, target)
}

// authenticate checks the request's signature before its body is read: by
// the kind the signature claims, since the operation is not known yet.
func (s *Server) authenticate(q *request) (*signer.Parsed, *apiError) {
	p, err := s.verify.Authenticate(q.r.Header.Get("Authorization"), signer.Expectation{
		AppID: s.cfg.AppID, Bucket: q.bucket, FileID: signer.FileID(s.cfg.AppID, q.bucket, q.path),
	})
	return p, signatureRefused(err)
}

// authorize checks that the signature is of the kind the operation needs and
// records a one-time signature.
func (s *Server) authorize(q *request, p *signer.Parsed) *apiError {
	kind := signer.Multi
	if q.op.Signature == gen.SignatureOnce {
		kind = signer.Once
	}
	return signatureRefused(s.verify.Authorize(p, kind))
}

func signatureRefused(err error) *apiError {
	if err == nil {
		return nil
	}
	var ve *signer.VerifyError
	if errors.As(err, &ve) {
		return &apiError{code: byCode(ve.Code()), msg: ve.Detail}
	}
	if errors.Is(err, errNoncesFull) {
		return fail(coserr.ErrOverload, "%v: try again later", errNoncesFull)
	}
	if errors.Is(err, errNonceForgotten) {
		return fail(coserr.ErrSignatureExpired, "%v", errNonceForgotten)
	}
	return storeFailed(err)
}
