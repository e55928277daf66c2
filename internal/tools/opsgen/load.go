package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Operation is one COS operation as the spec declares it.
type Operation struct {
	ID        string // operationId
	Fragment  string // the path key's fragment, which the generated client keeps on the URL
	Op        string // x-cos-op
	Method    string
	Target    string // x-cos-target: dir or file
	Signature string // x-cos-signature: multi or once
}

// Load reads the spec and returns its operations sorted by fragment. Every
// operation must carry a fragment-suffixed path key and the three x-cos
// extensions with known values; anything else is an error naming the operation.
func Load(path string) ([]Operation, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	var ops []Operation
	seen := map[string]string{}
	for key, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o, err := fromSpec(key, method, op)
			if err != nil {
				return nil, err
			}
			if prev, dup := seen[o.Fragment]; dup {
				return nil, fmt.Errorf("fragment %q used by %s and %s", o.Fragment, prev, o.ID)
			}
			seen[o.Fragment] = o.ID
			ops = append(ops, o)
		}
	}
	slices.SortFunc(ops, func(a, b Operation) int { return strings.Compare(a.Fragment, b.Fragment) })
	return ops, nil
}

func fromSpec(key, method string, op *openapi3.Operation) (Operation, error) {
	u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(key))
	if err != nil || u.Fragment == "" {
		return Operation{}, fmt.Errorf("path key %q (%s): no #fragment naming the operation", key, op.OperationID)
	}
	o := Operation{ID: op.OperationID, Fragment: u.Fragment, Method: method}
	for name, dst := range map[string]*string{"x-cos-op": &o.Op, "x-cos-target": &o.Target, "x-cos-signature": &o.Signature} {
		v, ok := op.Extensions[name].(string)
		if !ok || v == "" {
			return Operation{}, fmt.Errorf("operation %s: missing %s", op.OperationID, name)
		}
		*dst = v
	}
	if o.ID == "" {
		return Operation{}, fmt.Errorf("path key %q: operation without operationId", key)
	}
	if o.Signature != "multi" && o.Signature != "once" {
		return Operation{}, fmt.Errorf("operation %s: x-cos-signature %q is neither multi nor once", o.ID, o.Signature)
	}
	if o.Target != "dir" && o.Target != "file" {
		return Operation{}, fmt.Errorf("operation %s: x-cos-target %q is neither dir nor file", o.ID, o.Target)
	}
	if want := o.Target + "." + o.Op; o.Fragment != want {
		return Operation{}, fmt.Errorf("operation %s: fragment %q, want %q (x-cos-target.x-cos-op)", o.ID, o.Fragment, want)
	}
	return o, nil
}
