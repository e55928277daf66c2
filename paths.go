package cosv2

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrBadPath is returned, before any request is sent, for a path the API
// cannot address: a file path ending in "/", a directory path without it, an
// empty, ".", or ".." segment, a NUL byte, or invalid UTF-8.
var ErrBadPath = errors.New("cos: invalid path")

// MaxPathLen is the longest path the client sends; the whole request URL is
// limited to 1024 bytes by the service.
const MaxPathLen = 1000

// DirPath normalises a directory path: it adds the leading "/" and requires the
// trailing one. "" and "/" are the bucket root.
func DirPath(p string) (string, error) {
	if p == "" || p == "/" {
		return "/", nil
	}
	if !strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("%w: directory path %q must end in /", ErrBadPath, p)
	}
	return clean(p)
}

// FilePath normalises a file path: it adds the leading "/" and refuses a
// trailing one.
func FilePath(p string) (string, error) {
	if p == "" || strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("%w: file path %q must name a file, not end in /", ErrBadPath, p)
	}
	return clean(p)
}

// AnyPath normalises a path that may name a directory (ending in "/") or a file.
func AnyPath(p string) (string, error) {
	if p == "" || strings.HasSuffix(p, "/") {
		return DirPath(p)
	}
	return FilePath(p)
}

func clean(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if len(p) > MaxPathLen {
		return "", fmt.Errorf("%w: path is %d bytes, at most %d", ErrBadPath, len(p), MaxPathLen)
	}
	if !utf8.ValidString(p) || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%w: %q is not valid UTF-8 text", ErrBadPath, p)
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "", fmt.Errorf("%w: %q has an empty, . or .. segment", ErrBadPath, p)
		}
	}
	return p, nil
}
