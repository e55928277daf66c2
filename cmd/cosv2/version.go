package main

import "runtime/debug"

// version is the module version the binary was built from: v0.x.y when
// installed with `go install github.com/cosv2/cosv2/cmd/cosv2@v0.x.y`,
// "(devel)" from a checkout, followed then by the commit when the build
// recorded it (and "+dirty" for uncommitted changes).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := info.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	v = "(devel)"
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev[:min(len(rev), 12)] + dirty
	}
	return v
}
