// Command errgen turns errcodes.yaml into Go: the table, one sentinel per
// code and the APIError type in package coserr, and aliases of APIError and of
// every sentinel in the facade package (errors.gen.go).
//
// It refuses input it cannot trust and names the YAML line of each problem: a
// missing, unknown, repeated or malformed field; an unknown group; a code whose
// sign does not fit its group; a Go or document name used twice; a code listed
// twice in a group, or an API code in two groups. The templates are
// codes.go.tmpl and aliases.go.tmpl; with -ts it also writes the TypeScript
// table of clients/ts (ts.go).
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "errcodes.yaml", "the YAML table to read")
	out := flag.String("out", "gen/coserr/codes.gen.go", "the coserr Go file to write")
	aliases := flag.String("aliases", "errors.gen.go", "the facade's alias file to write (empty: none)")
	ts := flag.String("ts", "", "the TypeScript table to write for clients/ts (empty: none)")
	flag.Parse()
	if err := run(*in, *out, *aliases, *ts); err != nil {
		fmt.Fprintln(os.Stderr, "errgen:", err)
		os.Exit(1)
	}
}

func run(in, out, aliases, ts string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	entries, err := Load(in, src)
	if err != nil {
		return err
	}
	code, err := RenderTable(in, entries)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, code, 0o644); err != nil {
		return err
	}
	if ts != "" {
		src, err := RenderTS(in, entries)
		if err != nil {
			return err
		}
		if err := os.WriteFile(ts, src, 0o644); err != nil {
			return err
		}
	}
	if aliases == "" {
		return nil
	}
	al, err := RenderAliases(in, entries)
	if err != nil {
		return err
	}
	return os.WriteFile(aliases, al, 0o644)
}
