package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

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
	return openapi3filter.ValidateRequest(q.r.Context(), in)
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
