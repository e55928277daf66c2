package signer

import (
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
)

// Parsed is a decoded signature. Parse checks its form only: Verifier.Verify
// checks the MAC and what the fields allow.
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

	plain []byte // Plaintext, for the HMAC without another copy
}

// Parse decodes a signature. Fields may come in any order (real clients put b
// last or second); each of a, b, k, e, t, r, f must appear exactly once, e and
// t must be decimal numbers and r one of at most 10 digits. A signature has one
// spelling: only canonical standard Base64 is accepted. Errors are
// *VerifyError with ReasonEmpty or ReasonMalformed.
func Parse(sig string) (*Parsed, error) {
	if sig == "" {
		return nil, refuse(ReasonEmpty, "no signature")
	}
	// Go's decoder skips \r and \n, and Strict is what refuses non-zero
	// padding bits: either would give one signature several spellings.
	for i := 0; i < len(sig); i++ {
		if !isBase64(sig[i]) {
			return nil, refuse(ReasonMalformed, "not standard Base64")
		}
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil {
		return nil, refuse(ReasonMalformed, "not standard Base64")
	}
	if len(raw) <= sha1.Size {
		return nil, refuse(ReasonMalformed, "%d bytes is too short", len(raw))
	}
	p := &Parsed{MAC: raw[:sha1.Size:sha1.Size], plain: raw[sha1.Size:], Plaintext: string(raw[sha1.Size:])}
	var seen uint8
	for rest := p.Plaintext; ; {
		kv, tail, more := strings.Cut(rest, "&")
		k, v, ok := strings.Cut(kv, "=")
		bit := strings.Index("abketrf", k)
		if !ok || len(k) != 1 || bit < 0 {
			return nil, refuse(ReasonMalformed, "unexpected field %q", clip(kv))
		}
		if seen&(1<<bit) != 0 {
			return nil, refuse(ReasonMalformed, "field %s repeated", k)
		}
		seen |= 1 << bit
		if err := p.set(k, v); err != nil {
			return nil, err
		}
		if !more {
			break
		}
		rest = tail
	}
	if seen != 1<<7-1 {
		return nil, refuse(ReasonMalformed, "fields a, b, k, e, t, r, f are all required")
	}
	return p, nil
}

func (p *Parsed) set(k, v string) error {
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
		n, ok := decimal(v, 19)
		if !ok || n > 1<<63-1 {
			return refuse(ReasonMalformed, "%s=%q is not a time", k, clip(v))
		}
		if k == "e" {
			p.Expires = int64(n)
		} else {
			p.Now = int64(n)
		}
	case "r":
		n, ok := decimal(v, 10)
		if !ok {
			return refuse(ReasonMalformed, "r=%q is not a number of at most 10 digits", clip(v))
		}
		p.Rand = n
	}
	return nil
}

// decimal parses 1 to max digits, nothing else: strconv would also take a
// sign. Leading zeros are allowed: the document calls r a random string.
func decimal(v string, max int) (uint64, bool) {
	if v == "" || len(v) > max {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// clip shortens what a client sent before it goes into an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// SignFromQuery returns the sign parameter of a raw query string, or "". The
// official SDKs send the "+" of the Base64 signature unescaped, which
// url.ParseQuery turns into a space; here "+" stays "+" and %XX escapes are
// decoded, so both spellings give the signature back.
func SignFromQuery(rawQuery string) string {
	for kv := range strings.SplitSeq(rawQuery, "&") {
		if v, ok := strings.CutPrefix(kv, "sign="); ok {
			if u, err := url.PathUnescape(v); err == nil {
				return u
			}
			return v
		}
	}
	return ""
}

// Kind is the kind the signature claims: Once when e = 0, else Multi.
func (p *Parsed) Kind() Kind {
	if p.Expires == 0 {
		return Once
	}
	return Multi
}
