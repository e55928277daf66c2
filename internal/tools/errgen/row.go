package main

import (
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// fields are the keys an entry may have; the first five are required, go and
// retryable too unless ok is true.
var fields = []string{"code", "name", "group", "zh", "en", "go", "http", "retryable", "ok", "note", "also"}

// constName is what a document constant looks like: the OCR's mangled ones
// ("ERROR_CGI SOCK_CREATE", "2RSP") must be restored by hand, with a note.
var constName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseRow decodes one entry and checks it on its own.
func parseRow(n *yaml.Node) (Row, []*lineError) {
	if n.Kind != yaml.MappingNode {
		return Row{}, []*lineError{errAt(n, "an entry must be a mapping")}
	}
	r := Row{Line: n.Line, lines: map[string]int{}}
	var errs []*lineError
	fail := func(e *lineError) { errs = append(errs, e) }
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(fields, k.Value) {
			fail(errAt(k, "unknown field %q (want one of %s)", k.Value, strings.Join(fields, ", ")))
			continue
		}
		if prev, dup := r.lines[k.Value]; dup {
			fail(errAt(k, "field %s given twice (first at line %d)", k.Value, prev))
			continue
		}
		r.lines[k.Value] = k.Line
		var err *lineError
		switch k.Value {
		case "code":
			err = scalar(v, "!!int", "an integer", &r.Code)
		case "http":
			err = scalar(v, "!!int", "an integer", &r.HTTP)
		case "retryable":
			err = scalar(v, "!!bool", "true or false", &r.Retryable)
		case "ok":
			err = scalar(v, "!!bool", "true or false", &r.OK)
		case "also":
			r.Also, err = parseAlso(v)
		default:
			err = text(v, k.Value, map[string]*string{"name": &r.Name, "group": &r.Group, "zh": &r.Zh, "en": &r.En, "go": &r.Go, "note": &r.Note}[k.Value])
		}
		if err != nil {
			fail(err)
		}
	}
	if len(errs) > 0 {
		return r, errs
	}
	return r, r.check(n)
}

// check applies the rules of one row; n is its node, for lines.
func (r *Row) check(n *yaml.Node) []*lineError {
	var errs []*lineError
	at := func(field, format string, args ...any) {
		line, ok := r.lines[field]
		if !ok {
			line = n.Line
		}
		errs = append(errs, &lineError{line: line, msg: fmt.Sprintf("code %d: ", r.Code) + fmt.Sprintf(format, args...)})
	}
	required := []string{"code", "name", "group", "zh", "en"}
	if !r.OK {
		required = append(required, "go", "retryable")
	}
	for _, f := range required {
		if _, ok := r.lines[f]; !ok {
			at(f, "missing %s", f)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if !constName.MatchString(r.Name) {
		at("name", "name %q is not a constant name (restore a mangled one and say so in a note)", r.Name)
	}
	if !slices.Contains(Groups, r.Group) {
		at("group", "unknown group %q (want one of %s)", r.Group, strings.Join(Groups, ", "))
	} else if positive(r.Group) != (r.Code > 0) {
		at("code", "group %s codes are %s (the OCR lost minus signs: restore them)", r.Group, map[bool]string{true: "positive", false: "zero or negative"}[positive(r.Group)])
	}
	switch {
	case r.OK && r.Go != "":
		at("go", "an ok code is not an error and gets no sentinel: drop go")
	case r.OK && r.Retryable:
		at("retryable", "an ok code is not an error: it cannot be retryable")
	case !r.OK && (!token.IsIdentifier(r.Go) || !token.IsExported(r.Go) || !strings.HasPrefix(r.Go, "Err")):
		at("go", "go name %q is not an exported Go identifier starting with Err", r.Go)
	}
	for _, f := range []struct{ field, v string }{{"zh", r.Zh}, {"en", r.En}} {
		if strings.ContainsAny(f.v, "\r\n") {
			at(f.field, "%s must be one line: it goes into Go comments", f.field)
		}
	}
	if r.HTTP != 0 && (r.HTTP < 100 || r.HTTP > 599) {
		at("http", "http %d is not an HTTP status (100-599, or omit it)", r.HTTP)
	}
	return errs
}

// parseAlso decodes the list of other meanings of a code.
func parseAlso(v *yaml.Node) ([]Also, *lineError) {
	if v.Kind != yaml.SequenceNode {
		return nil, errAt(v, "also must be a list of {name, zh, en}")
	}
	var out []Also
	for _, m := range v.Content {
		a := Also{Line: m.Line}
		if m.Kind != yaml.MappingNode {
			return nil, errAt(m, "an also entry must be a mapping {name, zh, en}")
		}
		dst := map[string]*string{"name": &a.Name, "zh": &a.Zh, "en": &a.En}
		seen := map[string]bool{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			p, ok := dst[k.Value]
			if !ok || seen[k.Value] {
				return nil, errAt(k, "also: unknown or repeated field %q (want name, zh, en)", k.Value)
			}
			seen[k.Value] = true
			if err := text(m.Content[i+1], "also "+k.Value, p); err != nil {
				return nil, err
			}
		}
		if len(seen) != len(dst) {
			return nil, errAt(m, "also: an entry needs name, zh and en")
		}
		if !constName.MatchString(a.Name) {
			return nil, errAt(m, "also: name %q is not a constant name", a.Name)
		}
		if strings.ContainsAny(a.Zh+a.En, "\r\n") {
			return nil, errAt(m, "also: zh and en must be one line: they go into Go comments")
		}
		out = append(out, a)
	}
	return out, nil
}

// scalar decodes v into dst if its YAML tag is tag.
func scalar(v *yaml.Node, tag, want string, dst any) *lineError {
	if v.Kind != yaml.ScalarNode || v.Tag != tag {
		return errAt(v, "want %s, got %q", want, v.Value)
	}
	if err := v.Decode(dst); err != nil {
		return errAt(v, "want %s, got %q: %v", want, v.Value, err)
	}
	return nil
}

// text decodes a non-empty string.
func text(v *yaml.Node, field string, dst *string) *lineError {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || strings.TrimSpace(v.Value) == "" {
		return errAt(v, "%s must be a non-empty string, got %q", field, v.Value)
	}
	*dst = v.Value
	return nil
}
