package signer

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cosv2/cosv2/gen"
)

// Transport signs every request it sends. It runs inside any retry loop, so
// every attempt gets a fresh signature: a one-time signature is never sent
// twice. The operation comes from the request URL's fragment, which the
// generated client keeps and net/http does not send; the fileid comes from the
// request's own path. A request with no known operation, or outside
// /files/v2/<appid>/<bucket>/, is an error, not a guess.
type Transport struct {
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Signer signs; it is required.
	Signer *Signer
	// Lookup returns the kind of signature the operation of a URL fragment
	// takes; nil means OperationKind, the spec's table.
	Lookup func(fragment string) (Kind, bool)
}

// NewTransport returns a Transport that signs with s, picks the kind of
// signature from the spec's table and sends through base.
func NewTransport(base http.RoundTripper, s *Signer) *Transport {
	return &Transport{Base: base, Signer: s, Lookup: OperationKind}
}

// OperationKind returns the kind of signature the spec's operation with the
// URL fragment takes (its x-cos-signature), from gen.OperationByFragment.
func OperationKind(fragment string) (Kind, bool) {
	op, ok := gen.OperationByFragment(fragment)
	if !ok {
		return 0, false
	}
	switch op.Signature {
	case gen.SignatureMulti:
		return Multi, true
	case gen.SignatureOnce:
		return Once, true
	}
	return 0, false // a kind this package does not know: refuse, do not guess
}

// RoundTrip implements http.RoundTripper. It signs a clone and never changes
// the caller's request.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	sig, err := t.sign(req)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper closes the body, even on errors
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", sig)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}

func (t *Transport) sign(req *http.Request) (string, error) {
	lookup := t.Lookup
	if lookup == nil {
		lookup = OperationKind
	}
	kind, ok := lookup(req.URL.Fragment)
	if !ok {
		return "", fmt.Errorf("signer: %s %s: no known operation in the URL fragment %q", req.Method, req.URL.Path, req.URL.Fragment)
	}
	s := t.Signer
	bucket, path, err := split(req.URL, s.creds.AppID)
	if err != nil {
		return "", err
	}
	p := Params{Bucket: bucket, Kind: kind, FileID: FileID(s.creds.AppID, bucket, path), Now: s.now(), Rand: s.rand()}
	if kind == Multi {
		p.Expires = p.Now.Add(s.ttl)
		if !s.bind {
			p.FileID = ""
		}
	}
	return s.sign(p)
}

// split returns the bucket and the path (with its leading "/") of an API URL
// /files/v2/<appid>/<bucket><path>. URL.Path is already unescaped, which is
// what FileID escapes again.
func split(u *url.URL, appid string) (bucket, path string, err error) {
	prefix := "/files/v2/" + appid + "/"
	rest, ok := strings.CutPrefix(u.Path, prefix)
	if !ok {
		return "", "", fmt.Errorf("signer: %s is not under %s", u.Path, prefix)
	}
	bucket, path, ok = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", fmt.Errorf("signer: %s names no bucket", u.Path)
	}
	return bucket, "/" + path, nil
}
