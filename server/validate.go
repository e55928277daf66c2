package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/cosv2/cosv2/spec"
)

// validator checks requests and answers against the spec. kin-openapi's
// routers cannot route the spec's fragment path keys (DESIGN.md), but the
// server knows the operation once it has read op, so it builds the route itself.
type validator struct{ doc *openapi3.T }

func newValidator() (*validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	if err != nil {
		return nil, fmt.Errorf("server: loading the spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("server: the spec is invalid: %w", err)
	}
	return &validator{doc: doc}, nil
}

func (v *validator) input(q *request) (*openapi3filter.RequestValidationInput, error) {
	key := "/files/v2/{appid}/{bucket}{path}#" + q.op.Fragment
	item := v.doc.Paths.Find(key)
	if item == nil {
		return nil, fmt.Errorf("no path %s in the spec", key)
	}
	op := item.GetOperation(q.op.Method)
	req := q.r.Clone(q.r.Context())
	req.Body = io.NopCloser(bytes.NewReader(q.body))
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: map[string]string{"appid": "", "bucket": q.bucket, "path": q.path},
		Route:      &routers.Route{Spec: v.doc, Path: key, PathItem: item, Method: q.op.Method, Operation: op},
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SkipSettingDefaults: true, MultiError: false},
	}, nil
}

func (v *validator) request(q *request) error {
	in, err := v.input(q)
	if err != nil {
		return err
	}
	in.PathParams["appid"] = appidOf(q.r)
	if mt, params, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		in.Request.Body = io.NopCloser(bytes.NewReader(untypedText(q.body, params["boundary"])))
	}
	return openapi3filter.ValidateRequest(q.r.Context(), in)
}

// untypedText drops the Content-Type of the form's parts typed text/plain with
// parameters (or in capitals). kin-openapi reads numbers only from parts typed
// exactly "text/plain" or not typed, and the official Java SDK (Apache
// HttpClient's addTextBody) types every text part "text/plain; charset=UTF-8":
// its filesize, offset and insertOnly would be refused as strings. Untyped, a
// primitive part is text/plain all the same (OpenAPI 3.0, Encoding Object).
// The form is copied only when a part needs it; a form that cannot be read is
// given back as it came, for kin-openapi to refuse.
func untypedText(body []byte, boundary string) []byte {
	if !hasTypedText(body, boundary) {
		return body
	}
	var out bytes.Buffer
	out.Grow(len(body))
	w := multipart.NewWriter(&out)
	if w.SetBoundary(boundary) != nil {
		return body
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return body
		}
		h := textproto.MIMEHeader{}
		for k, v := range p.Header {
			if k != "Content-Type" || !typedText(v[0]) {
				h[k] = v
			}
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			return body
		}
		if _, err := io.Copy(pw, p); err != nil {
			return body
		}
	}
	if w.Close() != nil {
		return body
	}
	return out.Bytes()
}

// hasTypedText tells whether a part of the form is typed text/plain other than
// as the bare "text/plain" kin-openapi reads.
func hasTypedText(body []byte, boundary string) bool {
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextRawPart()
		if err != nil {
			return false
		}
		if typedText(p.Header.Get("Content-Type")) {
			return true
		}
	}
}

func typedText(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "text/plain" && ct != "text/plain"
}

func (v *validator) response(q *request, status int, body []byte) error {
	in, err := v.input(q)
	if err != nil {
		return err
	}
	in.PathParams["appid"] = appidOf(q.r)
	return openapi3filter.ValidateResponse(q.r.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 http.Header{"Content-Type": {"application/json"}},
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

func appidOf(r *http.Request) string {
	p := r.URL.Path[len("/files/v2/"):]
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return p
}
