package main

import (
	"fmt"
	"go/token"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Row is one error code of the table.
type Row struct {
	Code      int
	Name      string
	Go        string
	Group     string
	Zh        string
	En        string
	HTTP      int
	Retryable bool
	Note      string
	Line      int
}

// Groups are the groups of the document's error section, in its order.
var Groups = []string{"sdk", "download", "http", "business", "proxy", "cmd", "cache", "plugin", "cgi", "oss"}

// Load parses and checks the table; every error names file:line.
func Load(file string, src []byte) ([]Row, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1: want a mapping with a codes list", file)
	}
	list := field(root.Content[0], "codes")
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a codes list", file, root.Content[0].Line)
	}
	var (
		out    []Row
		goName = map[string]int{}
		codeIn = map[string]int{}
	)
	for _, n := range list.Content {
		e, err := entry(n)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n.Line, err)
		}
		if prev, dup := goName[e.Go]; dup {
			return nil, fmt.Errorf("%s:%d: go name %s already used at line %d", file, n.Line, e.Go, prev)
		}
		goName[e.Go] = n.Line
		key := e.Group + "/" + strconv.Itoa(e.Code)
		if prev, dup := codeIn[key]; dup {
			return nil, fmt.Errorf("%s:%d: code %d listed twice in group %s (first at line %d); keep one entry and put the other meaning under also", file, n.Line, e.Code, e.Group, prev)
		}
		codeIn[key] = n.Line
		out = append(out, e)
	}
	return out, nil
}

func field(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func entry(n *yaml.Node) (Row, error) {
	if n.Kind != yaml.MappingNode {
		return Row{}, fmt.Errorf("an entry must be a mapping")
	}
	e := Row{Line: n.Line}
	known := map[string]bool{"code": true, "name": true, "go": true, "group": true, "zh": true, "en": true, "http": true, "retryable": true, "note": true, "also": true}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !known[k.Value] {
			return Row{}, fmt.Errorf("line %d: unknown field %q", k.Line, k.Value)
		}
	}
	str := func(k string, required bool) (string, error) {
		v := field(n, k)
		if v == nil || v.Value == "" && v.Tag != "!!str" {
			if required {
				return "", fmt.Errorf("missing %s", k)
			}
			return "", nil
		}
		if v.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("line %d: %s must be a scalar", v.Line, k)
		}
		return v.Value, nil
	}
	var err error
	code, err := str("code", true)
	if err != nil {
		return e, err
	}
	if e.Code, err = strconv.Atoi(code); err != nil {
		return e, fmt.Errorf("code %q is not an integer", code)
	}
	for k, dst := range map[string]*string{"name": &e.Name, "go": &e.Go, "group": &e.Group, "zh": &e.Zh, "en": &e.En} {
		if *dst, err = str(k, true); err != nil {
			return e, fmt.Errorf("code %d: %w", e.Code, err)
		}
	}
	if e.Note, err = str("note", false); err != nil {
		return e, err
	}
	if !token.IsIdentifier(e.Go) || !token.IsExported(e.Go) {
		return e, fmt.Errorf("code %d: go name %q is not an exported Go identifier", e.Code, e.Go)
	}
	if !validGroup(e.Group) {
		return e, fmt.Errorf("code %d: unknown group %q (want one of %v)", e.Code, e.Group, Groups)
	}
	if positive := e.Group == "sdk" || e.Group == "download" || e.Group == "http"; positive != (e.Code > 0) {
		return e, fmt.Errorf("code %d: group %s codes are %s", e.Code, e.Group, map[bool]string{true: "positive", false: "zero or negative"}[positive])
	}
	if h, err := str("http", false); err != nil {
		return e, err
	} else if h != "" {
		if e.HTTP, err = strconv.Atoi(h); err != nil || e.HTTP < 100 || e.HTTP > 599 {
			return e, fmt.Errorf("code %d: http %q is not an HTTP status", e.Code, h)
		}
	}
	if r, err := str("retryable", false); err != nil {
		return e, err
	} else if r != "" {
		if e.Retryable, err = strconv.ParseBool(r); err != nil {
			return e, fmt.Errorf("code %d: retryable %q is not true or false", e.Code, r)
		}
	}
	return e, nil
}

func validGroup(g string) bool {
	for _, x := range Groups {
		if g == x {
			return true
		}
	}
	return false
}
