package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is what is wrong with a path.
type Problem int

// The problems a path can have.
const (
	// TooLong: over MaxPath bytes.
	TooLong Problem = iota + 1
	// NotUTF8: not valid UTF-8 (the service's own code for it is -147).
	NotUTF8
	// BadSegment: an empty, "." or ".." segment.
	BadSegment
	// NameTooLong: a name over MaxName bytes.
	NameTooLong
	// BadChar: a control character or a backslash in a name.
	BadChar
	// NotADir: a directory path that does not end in "/".
	NotADir
	// NotAFile: a file path that is empty or ends in "/".
	NotAFile
)

// PathError is a path the API cannot address.
type PathError struct {
	Path    string
	Problem Problem
	Detail  string
}

// Error implements error.
func (e *PathError) Error() string { return fmt.Sprintf("path %q: %s", e.Path, e.Detail) }

// Check checks a path as it goes on the wire (with its leading "/"; a
// directory with its trailing one; "/" is the bucket root): at most MaxPath
// bytes, UTF-8, and every name non-empty, not "." or "..", at most MaxName
// bytes, without control characters or backslashes. It returns nil or a
// *PathError.
func Check(p string) error {
	if len(p) > MaxPath {
		return &PathError{p, TooLong, fmt.Sprintf("%d bytes, at most %d", len(p), MaxPath)}
	}
	if !utf8.ValidString(p) {
		return &PathError{p, NotUTF8, "not valid UTF-8"}
	}
	if p == "/" {
		return nil
	}
	rest, ok := strings.CutPrefix(p, "/")
	if !ok {
		return &PathError{p, BadSegment, `does not start with "/"`}
	}
	rest = strings.TrimSuffix(rest, "/")
	for seg := range strings.SplitSeq(rest, "/") {
		if err := name(p, seg); err != nil {
			return err
		}
		if len(seg) > MaxName {
			return &PathError{p, NameTooLong, fmt.Sprintf("a name of %d bytes, at most %d", len(seg), MaxName)}
		}
	}
	return nil
}

// Name checks a name a listing gave (a directory's with its trailing "/"):
// one name, as Check checks a path's segments, except for its length, which
// a name made by another client may exceed. It returns nil or a *PathError.
// A name that passes is safe to join to a local directory: no "/", "." or
// "..", no backslash, no control character, valid UTF-8.
func Name(n string) error {
	seg := strings.TrimSuffix(n, "/")
	if strings.Contains(seg, "/") {
		return &PathError{n, BadSegment, "more than one name"}
	}
	if !utf8.ValidString(seg) {
		return &PathError{n, NotUTF8, "not valid UTF-8"}
	}
	return name(n, seg)
}

// name checks seg, a segment of p, for what Check and Name both refuse.
func name(p, seg string) error {
	switch {
	case seg == "" || seg == "." || seg == "..":
		return &PathError{p, BadSegment, "an empty, . or .. segment"}
	case strings.ContainsFunc(seg, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }):
		return &PathError{p, BadChar, "a name holds a backslash or a control character"}
	}
	return nil
}

// Dir normalises and checks a directory path: it adds the leading "/" and
// requires the trailing one; "" and "/" are the bucket root.
func Dir(p string) (string, error) {
	if p == "" || p == "/" {
		return "/", nil
	}
	if !strings.HasSuffix(p, "/") {
		return "", &PathError{p, NotADir, `a directory path ends in "/"`}
	}
	return lead(p)
}

// File normalises and checks a file path: it adds the leading "/" and
// refuses an empty path or a trailing "/".
func File(p string) (string, error) {
	switch {
	case p == "":
		return "", &PathError{p, NotAFile, "is empty: a file path names a file"}
	case strings.HasSuffix(p, "/"):
		return "", &PathError{p, NotAFile, `names a directory (it ends in "/"), not a file`}
	}
	return lead(p)
}

func lead(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p, Check(p)
}
