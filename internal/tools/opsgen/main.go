// Command opsgen writes the table of COS operations from spec/cos-v2.yaml.
//
// oapi-codegen does not expose an operation's vendor extensions at run time, yet
// the signer needs to know, for the operation a request carries in its URL
// fragment, which signature it takes. opsgen reads x-cos-op, x-cos-target and
// x-cos-signature from every operation and renders them as Go (and, with -ts, as
// TypeScript for clients/ts), so the spec stays the only place that says which
// operation is signed how.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	in := flag.String("in", "spec/cos-v2.yaml", "the OpenAPI spec to read")
	out := flag.String("out", "gen/ops.gen.go", "the Go file to write")
	pkg := flag.String("package", "gen", "the Go package of the output")
	ts := flag.String("ts", "", "the TypeScript table to write for clients/ts (empty: none)")
	flag.Parse()
	if err := run(*in, *out, *pkg, *ts); err != nil {
		fmt.Fprintln(os.Stderr, "opsgen:", err)
		os.Exit(1)
	}
}

func run(in, out, pkg, ts string) error {
	ops, err := Load(in)
	if err != nil {
		return err
	}
	src, err := Render(pkg, in, ops)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return err
	}
	if ts == "" {
		return nil
	}
	return os.WriteFile(ts, RenderTS(in, ops), 0o644)
}
