// Package spec embeds cos-v2.yaml, the OpenAPI description of the COS JSON API,
// so servers and tests can validate traffic against it at run time.
package spec

import _ "embed"

// YAML is the text of cos-v2.yaml.
//
//go:embed cos-v2.yaml
var YAML []byte
