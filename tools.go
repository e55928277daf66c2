//go:build tools

// Package tools pins the code generators and test runners this module's
// Makefile calls, so `go run` uses the versions recorded in go.mod.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/onsi/ginkgo/v2/ginkgo"
)
