package main

import "fmt"

// docName is a document constant and the line that gives it.
type docName struct {
	name string
	line int
}

// validate applies the rules that span rows: Go names and document names are
// unique; a code appears once in its group (a second meaning goes under also);
// and an API code (<= 0) once among all the API groups, since the server's
// envelope carries the number alone.
func validate(rows []Row) []*lineError {
	var (
		errs    []*lineError
		goNames = map[string]int{}
		names   = map[string]int{}
		inGroup = map[string]int{}
		api     = map[int]Row{}
	)
	add := func(line int, format string, args ...any) {
		errs = append(errs, &lineError{line: line, msg: fmt.Sprintf(format, args...)})
	}
	for _, r := range rows {
		if r.Go != "" {
			if prev, dup := goNames[r.Go]; dup {
				add(r.lines["go"], "code %d: go name %s already used at line %d", r.Code, r.Go, prev)
			}
			goNames[r.Go] = r.lines["go"]
		}
		docNames := []docName{{r.Name, r.lines["name"]}}
		for _, a := range r.Also {
			docNames = append(docNames, docName{a.Name, a.Line})
		}
		for _, d := range docNames {
			if prev, dup := names[d.name]; dup {
				add(d.line, "code %d: name %s already used at line %d", r.Code, d.name, prev)
			}
			names[d.name] = d.line
		}
		key := fmt.Sprintf("%s/%d", r.Group, r.Code)
		if prev, dup := inGroup[key]; dup {
			add(r.Line, "code %d listed twice in group %s (first at line %d): keep one entry, decide which name the code maps to, and list the other meaning under also", r.Code, r.Group, prev)
			continue
		}
		inGroup[key] = r.Line
		if r.Code <= 0 {
			if prev, dup := api[r.Code]; dup {
				add(r.Line, "code %d is already in group %s at line %d: an API code is looked up by its number alone", r.Code, prev.Group, prev.Line)
				continue
			}
			api[r.Code] = r
		}
	}
	return errs
}
