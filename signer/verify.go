package signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Reason says why a signature was refused; its Code is the document's error code.
type Reason int

// The reasons a signature is refused, with the codes the service answers.
const (
	// ReasonEmpty: no signature (-81, ERROR_PROXY_AUTH_SIGN_EMPTY).
	ReasonEmpty Reason = -81
	// ReasonMalformed: not Base64, too short, or a field missing, repeated or not a
	// number (-5998, ERROR_CGI_AUTHORIZATION "signature format error").
	ReasonMalformed Reason = -5998
	// ReasonBadSignature: the HMAC does not match (-97, ERROR_PROXY_AUTH_FAILED).
	ReasonBadSignature Reason = -97
	// ReasonExpired: a multi-use signature past e (-96).
	ReasonExpired Reason = -96
	// ReasonOnceExpireNotZero: a one-time signature with e ≠ 0 (-73).
	ReasonOnceExpireNotZero Reason = -73
	// ReasonMultiExpireZero: a multi-use signature with e = 0 (-74).
	ReasonMultiExpireZero Reason = -74
	// ReasonOnceNoFileID: a one-time signature with an empty f (-76).
	ReasonOnceNoFileID Reason = -76
	// ReasonFileIDMismatch: f does not cover the request's fileid (-63).
	ReasonFileIDMismatch Reason = -63
	// ReasonBucketMismatch: b is not the request's bucket (-61).
	ReasonBucketMismatch Reason = -61
	// ReasonAppIDMismatch: a is not the request's appid (-70).
	ReasonAppIDMismatch Reason = -70
	// ReasonUnknownSecretID: k names no known key (-79).
	ReasonUnknownSecretID Reason = -79
	// ReasonReplayed: a one-time signature seen before (-77).
	ReasonReplayed Reason = -77
)

// Code returns the document's error code for the reason.
func (r Reason) Code() int { return int(r) }

// VerifyError is a refused signature.
type VerifyError struct {
	Reason Reason
	Detail string
}

// Error implements error.
func (e *VerifyError) Error() string {
	return fmt.Sprintf("signer: signature refused (%d): %s", e.Reason, e.Detail)
}

// Code returns the document's error code.
func (e *VerifyError) Code() int { return e.Reason.Code() }

func refuse(r Reason, format string, args ...any) *VerifyError {
	return &VerifyError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// Parsed is a decoded signature.
type Parsed struct {
	MAC       []byte
	Plaintext string
	AppID     string
	Bucket    string
	SecretID  string
	Expires   int64
	Now       int64
	Rand      uint64
	FileID    string
}

// Parse decodes a signature. Fields may come in any order (real clients put b
// last or second); each of a, b, k, e, t, r, f must appear exactly once, and
// e, t and r must be decimal numbers.
func Parse(sig string) (*Parsed, error) {
	if sig == "" {
		return nil, refuse(ReasonEmpty, "no signature")
	}
	// A signature has one spelling: Go's decoder would skip \r and \n and
	// accept non-zero padding bits, so both are refused.
	if strings.IndexFunc(sig, func(r rune) bool { return !isBase64(r) }) >= 0 {
		return nil, refuse(ReasonMalformed, "not standard Base64")
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil {
		return nil, refuse(ReasonMalformed, "not standard Base64")
	}
	if len(raw) <= sha1.Size {
		return nil, refuse(ReasonMalformed, "%d bytes is too short", len(raw))
	}
	p := &Parsed{MAC: raw[:sha1.Size], Plaintext: string(raw[sha1.Size:])}
	seen := map[string]bool{}
	for _, kv := range strings.Split(p.Plaintext, "&") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || len(k) != 1 || !strings.Contains("abketrf", k) {
			return nil, refuse(ReasonMalformed, "unexpected field %q", kv)
		}
		if seen[k] {
			return nil, refuse(ReasonMalformed, "field %s repeated", k)
		}
		seen[k] = true
		switch k {
		case "a":
			p.AppID = v
		case "b":
			p.Bucket = v
		case "k":
			p.SecretID = v
		case "f":
			p.FileID = v
		case "e", "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, refuse(ReasonMalformed, "%s=%q is not a time", k, v)
			}
			if k == "e" {
				p.Expires = n
			} else {
				p.Now = n
			}
		case "r":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil || len(v) > 10 {
				return nil, refuse(ReasonMalformed, "r=%q is not a number of at most 10 digits", v)
			}
			p.Rand = n
		}
	}
	if len(seen) != 7 {
		return nil, refuse(ReasonMalformed, "fields a, b, k, e, t, r, f are all required")
	}
	return p, nil
}

func isBase64(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/' || r == '='
}

// KeyStore finds the secret key of a secret id.
type KeyStore interface {
	SecretKey(secretID string) (key string, ok bool)
}

// Keys is a KeyStore held in a map from secret id to secret key.
type Keys map[string]string

// SecretKey implements KeyStore.
func (k Keys) SecretKey(id string) (string, bool) { v, ok := k[id]; return v, ok }

// Expectation is what a request allows: the signature must be of Kind, for
// AppID and Bucket, and cover FileID, the fileid of the request's own path.
type Expectation struct {
	AppID  string
	Bucket string
	FileID string
	Kind   Kind
}

// Verifier checks signatures for a server.
type Verifier struct {
	Keys KeyStore
	// Now is the clock expiry is checked against; nil means time.Now.
	Now func() time.Time
	// Replay remembers one-time signatures; nil accepts them any number of times.
	Replay ReplayCache
}

// Verify checks sig against want and returns nil or a *VerifyError.
func (v *Verifier) Verify(sig string, want Expectation) error {
	p, err := Parse(sig)
	if err != nil {
		return err
	}
	key, ok := v.Keys.SecretKey(p.SecretID)
	if !ok {
		return refuse(ReasonUnknownSecretID, "secret id %q", p.SecretID)
	}
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(p.Plaintext))
	if !hmac.Equal(m.Sum(nil), p.MAC) {
		return refuse(ReasonBadSignature, "HMAC does not match")
	}
	switch {
	case p.AppID != want.AppID:
		return refuse(ReasonAppIDMismatch, "signed for appid %q, request for %q", p.AppID, want.AppID)
	case p.Bucket != want.Bucket:
		return refuse(ReasonBucketMismatch, "signed for bucket %q, request for %q", p.Bucket, want.Bucket)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if want.Kind == Once {
		return v.once(p, want)
	}
	switch {
	case p.Expires == 0:
		return refuse(ReasonMultiExpireZero, "a multi-use signature needs e > 0")
	case p.Expires < now().Unix():
		return refuse(ReasonExpired, "expired at %d", p.Expires)
	case p.Expires-p.Now > int64(MaxTTL/time.Second):
		return refuse(ReasonExpired, "lifetime %ds is over 90 days", p.Expires-p.Now)
	case !covers(p.FileID, want.FileID):
		return refuse(ReasonFileIDMismatch, "bound to %q, request for %q", p.FileID, want.FileID)
	}
	return nil
}

func (v *Verifier) once(p *Parsed, want Expectation) error {
	switch {
	case p.Expires != 0:
		return refuse(ReasonOnceExpireNotZero, "a one-time signature needs e=0, not %d", p.Expires)
	case p.FileID == "":
		return refuse(ReasonOnceNoFileID, "a one-time signature needs f")
	case !sameFileID(p.FileID, want.FileID):
		return refuse(ReasonFileIDMismatch, "bound to %q, request for %q", p.FileID, want.FileID)
	}
	if v.Replay != nil && !v.Replay.Add(string(p.MAC)) {
		return refuse(ReasonReplayed, "one-time signature used before")
	}
	return nil
}

// covers: a multi-use f is empty, the request's own fileid, or a prefix ending
// in "/" of it (the document's prefix matching). Fileids compare decoded, so
// clients that escape differently still match.
func covers(f, fileID string) bool {
	if f == "" || sameFileID(f, fileID) {
		return true
	}
	pf, want := unescape(f), unescape(fileID)
	return strings.HasSuffix(pf, "/") && strings.HasPrefix(want, pf)
}

func sameFileID(a, b string) bool { return a == b || unescape(a) == unescape(b) }

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
