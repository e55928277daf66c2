// Package gen holds the code generated from spec/cos-v2.yaml: the HTTP client and
// types made by oapi-codegen, and the table of operations with the signature each
// one takes.
//
// It is not a supported API: its names follow the spec and change with it. Import
// the facade, github.com/cosv2/cosv2, instead.
package gen
