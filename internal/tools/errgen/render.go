package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
)

var (
	//go:embed codes.go.tmpl
	codesSrc string
	//go:embed aliases.go.tmpl
	aliasesSrc string

	funcs = template.FuncMap{
		"quote":      strconv.Quote,
		"groupConst": groupConst,
	}
	codesTmpl   = template.Must(template.New("codes").Funcs(funcs).Parse(codesSrc))
	aliasesTmpl = template.Must(template.New("aliases").Funcs(funcs).Parse(aliasesSrc))
)

// groupConst is the Go constant of a group: GroupSDK, GroupCmd, ...
func groupConst(g string) string {
	switch g {
	case "sdk", "http", "cgi", "oss":
		return "Group" + strings.ToUpper(g)
	}
	return "Group" + strings.ToUpper(g[:1]) + g[1:]
}

// RenderTable returns the gofmt'ed source of package coserr: the table, the
// sentinels and APIError.
func RenderTable(file string, rows []Row) ([]byte, error) {
	return render(codesTmpl, file, rows)
}

// RenderAliases returns the gofmt'ed source of the facade's aliases of
// APIError and of every sentinel.
func RenderAliases(file string, rows []Row) ([]byte, error) {
	return render(aliasesTmpl, file, rows)
}

func render(t *template.Template, file string, rows []Row) ([]byte, error) {
	var buf bytes.Buffer
	data := map[string]any{"File": filepath.Base(file), "Rows": rows, "Groups": Groups}
	if err := t.Execute(&buf, data); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("rendered %s does not parse: %w", t.Name(), err)
	}
	return src, nil
}
