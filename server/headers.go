package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/cosv2/cosv2/gen/coserr"
)

// Limits of custom_headers: the names the document lists, each value at most
// MaxHeaderValue bytes, at most MaxCustomHeaders kept per file.
const (
	MaxHeaderValue   = 1 << 10
	MaxCustomHeaders = 32
)

// customHeaders are the headers an update may set and a download sends,
// besides x-cos-meta-*: the document's custom_headers table.
var customHeaders = map[string]bool{
	"Cache-Control": true, "Content-Type": true, "Content-Disposition": true,
	"Content-Language": true, "Content-Encoding": true,
}

const metaPrefix = "X-Cos-Meta-"

// allowedHeader refuses a custom header name the document does not list; a
// name it lists is canonicalised (header names are case-insensitive), so
// "content-type" and "Content-Type" are one header.
func allowedHeader(name string) *apiError {
	c := http.CanonicalHeaderKey(name)
	if customHeaders[c] {
		return nil
	}
	if rest, ok := strings.CutPrefix(c, metaPrefix); ok && rest != "" && validToken(name) {
		return nil
	}
	return fail(coserr.ErrCGIParam, "custom header %q is not one the document allows (Cache-Control, Content-Type, Content-Disposition, Content-Language, Content-Encoding, x-cos-meta-*)", clip(name))
}

// validToken: an HTTP header name, RFC 9110 token characters.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// validHeaderValue: no control characters but tab, so a value cannot end the
// header or start another.
func validHeaderValue(v string) bool {
	if len(v) > MaxHeaderValue {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// customHeadersOf reads an update's custom_headers: an object of strings;
// absent, or PHP's [] for an empty map, is none; a JSON string is the Java
// SDK's form (new JSONObject(map).toString()), the text of that object, read
// as strictly as a body (no duplicate names).
func customHeadersOf(raw json.RawMessage) (map[string]string, *apiError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("[]")) {
		return nil, nil
	}
	if raw[0] == '"' {
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fail(coserr.ErrJSONParse, "custom_headers: %v", err)
		}
		var headers map[string]string
		if err := decodeObject([]byte(text), &headers); err != nil {
			return nil, fail(coserr.ErrJSONParse, "custom_headers: a string must hold a JSON object of strings: %v", err)
		}
		if headers == nil {
			return nil, fail(coserr.ErrJSONParse, "custom_headers: a string must hold a JSON object of strings, not %q", clip(text))
		}
		return headers, nil
	}
	var headers map[string]string
	if err := json.Unmarshal(raw, &headers); err != nil {
		return nil, fail(coserr.ErrJSONParse, "custom_headers: want an object of strings: %v", err)
	}
	return headers, nil
}

// mergeHeaders checks an update's custom_headers and returns old with them
// set; a name replaces one that differs only in case.
func mergeHeaders(old, set map[string]string) (map[string]string, *apiError) {
	// One header named twice (the names differ only in case): which value
	// won would be the map's order, chance.
	seen := make(map[string]bool, len(set))
	for k := range set {
		c := http.CanonicalHeaderKey(k)
		if seen[c] {
			return nil, fail(coserr.ErrJSONParse, "custom_headers names %q twice (names differ only in case)", clip(c))
		}
		seen[c] = true
	}
	out := make(map[string]string, len(old)+len(set))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range set {
		if aerr := allowedHeader(k); aerr != nil {
			return nil, aerr
		}
		if !validHeaderValue(v) {
			return nil, fail(coserr.ErrCGIParam, "custom header %q: a value of at most %d bytes without control characters", clip(k), MaxHeaderValue)
		}
		for o := range out { // one header whatever the case of its name
			if strings.EqualFold(o, k) {
				delete(out, o)
			}
		}
		out[k] = v
	}
	if len(out) > MaxCustomHeaders {
		return nil, fail(coserr.ErrCGIParam, "a file has at most %d custom headers", MaxCustomHeaders)
	}
	return out, nil
}

// clip shortens what a peer sent for an answer's message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
