package main

import (
	"fmt"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// List returns the exported API of the packages (import paths), loaded from
// dir: for each package a "pkg" line, then one line for every exported
// constant (with its value), variable, function, type, struct field,
// interface method and method, sorted.
func List(dir string, paths ...string) (string, error) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedImports | packages.NeedDeps, Dir: dir}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		return "", err
	}
	slices.SortFunc(pkgs, func(a, b *packages.Package) int { return strings.Compare(a.PkgPath, b.PkgPath) })
	var b strings.Builder
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return "", fmt.Errorf("%s: %w", p.PkgPath, p.Errors[0])
		}
		fmt.Fprintf(&b, "pkg %s\n", p.PkgPath)
		for _, l := range declarations(p.Types) {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return b.String(), nil
}

func declarations(pkg *types.Package) []string {
	qual := types.RelativeTo(pkg)
	var lines []string
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch o := obj.(type) {
		case *types.Const:
			lines = append(lines, fmt.Sprintf("const %s %s = %s", o.Name(), types.TypeString(o.Type(), qual), o.Val().ExactString()))
		case *types.Var:
			lines = append(lines, fmt.Sprintf("var %s %s", o.Name(), types.TypeString(o.Type(), qual)))
		case *types.Func:
			lines = append(lines, "func "+o.Name()+strings.TrimPrefix(types.TypeString(o.Type(), qual), "func"))
		case *types.TypeName:
			lines = append(lines, typeLines(o, qual)...)
		}
	}
	return lines
}

func typeLines(o *types.TypeName, qual types.Qualifier) []string {
	name := o.Name()
	if o.IsAlias() {
		return []string{fmt.Sprintf("type %s = %s", name, types.TypeString(types.Unalias(o.Type()), qual))}
	}
	under := o.Type().Underlying()
	var lines []string
	switch u := under.(type) {
	case *types.Struct:
		lines = append(lines, "type "+name+" struct")
		for i := range u.NumFields() {
			if f := u.Field(i); f.Exported() {
				embedded := ""
				if f.Embedded() {
					embedded = ", embedded"
				}
				lines = append(lines, fmt.Sprintf("type %s struct, field %s %s%s", name, f.Name(), types.TypeString(f.Type(), qual), embedded))
			}
		}
	case *types.Interface:
		lines = append(lines, "type "+name+" interface")
		for i := range u.NumMethods() {
			if m := u.Method(i); m.Exported() {
				lines = append(lines, fmt.Sprintf("type %s interface, method %s%s", name, m.Name(),
					strings.TrimPrefix(types.TypeString(m.Type(), qual), "func")))
			}
		}
	default:
		lines = append(lines, fmt.Sprintf("type %s %s", name, types.TypeString(under, qual)))
	}
	ms := types.NewMethodSet(types.NewPointer(o.Type()))
	for i := range ms.Len() {
		m := ms.At(i).Obj()
		if !m.Exported() || ms.At(i).Kind() != types.MethodVal {
			continue
		}
		sig := m.Type().(*types.Signature)
		recv := name
		if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
			recv = "*" + name
		}
		if len(ms.At(i).Index()) > 1 {
			continue // promoted from an embedded field: listed with that type
		}
		lines = append(lines, fmt.Sprintf("method (%s) %s%s", recv, m.Name(), strings.TrimPrefix(types.TypeString(sig, qual), "func")))
	}
	return lines
}
