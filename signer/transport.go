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
// generated client keeps (gen.OperationByFragment); its kind of signature is
// the spec's x-cos-signature. A request with no known operation, or outside
// /files/v2/<appid>/<bucket>/, is an error, not a guess.
type Transport struct {
	// Base sends the signed request; nil means http.DefaultTransport.
	Base   http.RoundTripper
	Signer *Signer
}

// NewTransport returns a Transport that signs with s and sends through base.
func NewTransport(base http.RoundTripper, s *Signer) *Transport {
	return &Transport{Base: base, Signer: s}
}

// RoundTrip implements http.RoundTripper. It never changes the caller's request.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	sig, err := t.sign(req)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
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
	op, ok := gen.OperationByFragment(req.URL.Fragment)
	if !ok {
		return "", fmt.Errorf("signer: %s %s: no known operation in the URL fragment %q", req.Method, req.URL.Path, req.URL.Fragment)
	}
	bucket, path, err := split(req.URL, t.Signer.creds.AppID)
	if err != nil {
		return "", err
	}
	fileID := FileID(t.Signer.creds.AppID, bucket, path)
	s := t.Signer
	if op.Signature == gen.SignatureOnce {
		return Sign(s.creds, Params{Bucket: bucket, Kind: Once, FileID: fileID, Now: s.now(), Rand: s.rand()})
	}
	if !s.bind {
		fileID = ""
	}
	now := s.now()
	return Sign(s.creds, Params{Bucket: bucket, Kind: Multi, FileID: fileID, Now: now, Expires: now.Add(s.ttl), Rand: s.rand()})
}

// split returns the bucket and the path (with its leading "/") of an API URL
// /files/v2/<appid>/<bucket><path>.
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

// SignFromQuery returns the sign parameter of a raw query string. The official
// SDKs send the "+" of the Base64 signature unescaped, which standard query
// parsing turns into a space; here "+" stays "+".
func SignFromQuery(rawQuery string) string {
	for _, kv := range strings.Split(rawQuery, "&") {
		if v, ok := strings.CutPrefix(kv, "sign="); ok {
			if u, err := url.PathUnescape(v); err == nil {
				return u
			}
			return v
		}
	}
	return ""
}
