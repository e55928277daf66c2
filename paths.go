package cosv2

import (
	"errors"
	"fmt"

	"github.com/cosv2/cosv2/internal/rules"
)

// ErrBadPath is returned, before any request is sent, for a path the service
// would refuse or cannot address: a file path that is empty or ends in "/", a
// directory path without its trailing "/", an empty, "." or ".." segment, a
// path over MaxPathLen bytes or a name over MaxNameLen bytes, invalid UTF-8,
// a control character or a backslash. List returns it too, for a prefix with
// a "/". The error wraps it: test with errors.Is.
var ErrBadPath = errors.New("cos: invalid path")

// The path limits, the service's (one rule for the client and the local
// server).
const (
	// MaxPathLen is the longest path, in bytes; the whole request URL is
	// limited to 1024 bytes by the service.
	MaxPathLen = rules.MaxPath
	// MaxNameLen is the longest name of a file or directory, in bytes.
	MaxNameLen = rules.MaxName
)

// DirPath normalises a directory path as the API addresses it: it adds the
// leading "/" and requires the trailing one; "" and "/" are the bucket root.
// It returns an error wrapping ErrBadPath for what the service would refuse.
func DirPath(p string) (string, error) { return badPath(rules.Dir(p)) }

// FilePath normalises a file path as the API addresses it: it adds the
// leading "/" and refuses an empty path or a trailing "/". It returns an
// error wrapping ErrBadPath for what the service would refuse.
func FilePath(p string) (string, error) { return badPath(rules.File(p)) }

// AnyPath normalises a path that may name a directory (ending in "/") or a
// file, as DirPath or FilePath does.
func AnyPath(p string) (string, error) {
	if p == "" || p[len(p)-1] == '/' {
		return DirPath(p)
	}
	return FilePath(p)
}

func badPath(p string, err error) (string, error) {
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadPath, err)
	}
	return p, nil
}
