// Command apilist prints the exported API of the module's public packages,
// one declaration a line, sorted, so that a change to the public API is a
// visible diff of api.txt in review. `make api` writes api.txt with it, and
// its test fails when api.txt differs from what the code exports.
package main

import (
	"fmt"
	"os"
)

// Packages are the module's supported public packages.
var Packages = []string{
	"github.com/cosv2/cosv2",
	"github.com/cosv2/cosv2/costest",
	"github.com/cosv2/cosv2/server",
	"github.com/cosv2/cosv2/signer",
	"github.com/cosv2/cosv2/uploader",
}

func main() {
	out, err := List(".", Packages...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apilist:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}
