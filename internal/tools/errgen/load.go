package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Row is one error code of the table.
type Row struct {
	Code      int
	Name      string
	Go        string // empty for ok rows
	Group     string
	Zh        string
	En        string
	HTTP      int
	Retryable bool
	OK        bool // not an error (0, 200, 206): no sentinel
	Note      string
	Also      []Also
	Line      int
	lines     map[string]int // the line of each field, for messages
}

// Also is another meaning the document gives a row's code.
type Also struct {
	Name, Zh, En string
	Line         int
}

// Groups are the groups of the document's error section, in its order.
var Groups = []string{"sdk", "download", "http", "business", "proxy", "cmd", "cache", "plugin", "cgi", "oss"}

// positive reports whether a group's codes are positive: client-side and HTTP
// statuses. The other groups hold what the JSON envelope carries, codes <= 0.
func positive(group string) bool { return group == "sdk" || group == "download" || group == "http" }

// lineError is a problem at a line of the YAML.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

func errAt(n *yaml.Node, format string, args ...any) *lineError {
	return &lineError{line: n.Line, msg: fmt.Sprintf(format, args...)}
}

// Load parses and checks the table. It reports every problem it finds, each
// as file:line: message, in line order.
func Load(file string, src []byte) ([]Row, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1: want a mapping with a codes list", file)
	}
	top := root.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i]; k.Value == "codes" {
			list = top.Content[i+1]
		} else {
			return nil, fmt.Errorf("%s:%d: unknown top-level key %q (want only codes)", file, k.Line, k.Value)
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a codes list", file, top.Line)
	}
	var (
		rows []Row
		errs []*lineError
	)
	for _, n := range list.Content {
		r, rerrs := parseRow(n)
		errs = append(errs, rerrs...)
		if len(rerrs) == 0 {
			rows = append(rows, r)
		}
	}
	if len(errs) == 0 {
		errs = validate(rows)
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *lineError) int { return a.line - b.line })
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = file + ":" + e.Error()
		}
		return nil, errors.New(strings.Join(msgs, "\n"))
	}
	return rows, nil
}
