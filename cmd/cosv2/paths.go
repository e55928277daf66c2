package main

import (
	"context"
	"errors"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
)

// treeFlags are the flags of the commands that take many files.
func treeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "whole directories"},
		&cli.StringSliceFlag{Name: "include", Usage: "only files whose name or relative path matches this glob (repeatable)"},
		&cli.StringSliceFlag{Name: "exclude", Usage: "skip files whose name or relative path matches this glob (repeatable)"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 8, Usage: "files in flight at once"},
	}
}

// filtered reports whether --include or --exclude was given: then commands
// that remove (rm -r, sync --delete) remove only the files selected, and no
// directory.
func filtered(cmd *cli.Command) bool {
	return len(cmd.StringSlice("include")) > 0 || len(cmd.StringSlice("exclude")) > 0
}

// filter says whether a file of a tree, by its slash-separated path
// relative to the tree's root, is in: --include and --exclude match its
// name or its relative path.
func filter(cmd *cli.Command) func(rel string) bool {
	inc, exc := cmd.StringSlice("include"), cmd.StringSlice("exclude")
	match := func(pats []string, rel string) bool {
		for _, p := range pats {
			if ok, _ := path.Match(p, rel); ok {
				return true
			}
			if ok, _ := path.Match(p, path.Base(rel)); ok {
				return true
			}
		}
		return false
	}
	return func(rel string) bool {
		if len(inc) > 0 && !match(inc, rel) {
			return false
		}
		return !match(exc, rel)
	}
}

// remoteDir reports whether p names an existing directory (with or
// without its slash).
func remoteDir(ctx context.Context, c *cosv2.Client, p string) (bool, error) {
	d := strings.TrimSuffix(p, "/") + "/"
	if d == "/" {
		return true, nil
	}
	_, err := c.StatDir(ctx, d)
	if err == nil {
		return true, nil
	}
	if cosv2.IsNotExist(err) {
		return false, nil
	}
	return false, err
}

// remoteTarget is where a source named base goes when the destination is
// dst, as cp does it: into dst when dst ends in "/" or is an existing
// directory, else dst itself.
func remoteTarget(ctx context.Context, c *cosv2.Client, dst, base string) (string, error) {
	if dst == "" || strings.HasSuffix(dst, "/") {
		return dst + base, nil
	}
	isDir, err := remoteDir(ctx, c, dst)
	if err != nil {
		return "", err
	}
	if isDir {
		return dst + "/" + base, nil
	}
	return dst, nil
}

// localTarget is the local counterpart of remoteTarget; a dst ending in "/"
// that does not exist is made.
func localTarget(dst, base string) (string, error) {
	if strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, string(filepath.Separator)) {
		if err := os.MkdirAll(dst, 0o777); err != nil {
			return "", err
		}
		return filepath.Join(dst, base), nil
	}
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		return filepath.Join(dst, base), nil
	}
	return dst, nil
}

// mkdirAll makes dir and its parents; those that exist are fine.
func mkdirAll(ctx context.Context, c *cosv2.Client, dir string) error {
	dir = strings.Trim(dir, "/")
	if dir == "" {
		return nil
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/") + "/"
		if err := c.MakeDir(ctx, p); err != nil && !errors.Is(err, cosv2.ErrPathConflict) {
			return err
		}
	}
	return nil
}

// remoteEntry is a file or directory of a remote tree, with its path
// relative to the tree's root (directories end in "/").
type remoteEntry struct {
	rel string
	cosv2.Entry
}

// followedRoot is root for filepath.WalkDir, which does not follow a
// symbolic link at its root: root was named on the command line, and a link
// to a directory there is the directory (as rsync and aws s3 sync take it).
// A trailing separator makes the walk's lstat follow it.
func followedRoot(root string) string {
	if fi, err := os.Lstat(root); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if st, err := os.Stat(root); err == nil && st.IsDir() {
			return root + string(filepath.Separator)
		}
	}
	return root
}

// walkLocal walks the local tree root for put -r and sync: each directory
// below it goes to dir with its slash path relative to root, ending in "/"
// (dir may return filepath.SkipDir), each regular file that keep accepts to
// file. Anything else keep accepts (a symbolic link below root, which is
// not followed, a device, a socket) is said to be skipped on stderr and goes
// to skipped when that is not nil: sync --delete must not take its remote copy for one
// the local tree lacks. Entries that cannot be read are b's failures; the
// walk stops when ctx ends.
func walkLocal(ctx context.Context, b *batch, root string, keep func(rel string) bool, dir func(p, rel string) error, file func(p, rel string), skipped func(rel string)) error {
	// Else the walk would see one link, send nothing, and sync --delete
	// remove every remote file.
	return filepath.WalkDir(followedRoot(root), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			b.failed(p, err)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
		case d.IsDir():
			return dir(p, rel+"/")
		case !keep(rel):
		case d.Type().IsRegular():
			file(p, rel)
		default:
			what := "not a regular file"
			if d.Type()&fs.ModeSymlink != 0 {
				what = "a symbolic link, not followed"
			}
			note(b.cmd, "cosv2: skipped %s: %s", p, what)
			if skipped != nil {
				skipped(rel)
			}
		}
		return nil
	})
}

// walkRemote yields every entry under the directory root, a directory before
// what it holds, listing one page at a time.
func walkRemote(ctx context.Context, c *cosv2.Client, root string) iter.Seq2[remoteEntry, error] {
	root = strings.TrimSuffix(root, "/") + "/"
	return func(yield func(remoteEntry, error) bool) {
		stack := []string{""}
		for len(stack) > 0 {
			rel := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var subdirs []string
			for e, err := range c.List(ctx, root+rel) {
				if err != nil {
					yield(remoteEntry{rel: rel}, err)
					return
				}
				r := remoteEntry{rel: rel + e.Name, Entry: e}
				if e.IsDir && !strings.HasSuffix(r.rel, "/") {
					r.rel += "/"
				}
				if !yield(r, nil) {
					return
				}
				if e.IsDir {
					subdirs = append(subdirs, r.rel)
				}
			}
			for i := len(subdirs) - 1; i >= 0; i-- {
				stack = append(stack, subdirs[i])
			}
		}
	}
}

// hasGlob reports whether a remote path has glob characters in its last
// element.
func hasGlob(p string) bool { return strings.ContainsAny(path.Base(p), "*?[") }

// oneName reports whether remote source p names one entry as it is: it has
// no glob characters, or it has them but is an entry's name ("photo[1].jpg").
func oneName(ctx context.Context, c *cosv2.Client, p string) bool {
	if !hasGlob(p) {
		return true
	}
	got, err := expandRemote(ctx, c, p)
	return err == nil && len(got) == 1 && got[0] == p
}

// expandRemote turns a remote source with a glob in its last element into
// the entries of its directory that it names (globMatches), else returns it
// as is.
func expandRemote(ctx context.Context, c *cosv2.Client, p string) ([]string, error) {
	if !hasGlob(p) {
		return []string{p}, nil
	}
	dir, es, err := globMatches(ctx, c, p)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = dir + e.Name
	}
	return out, nil
}

// globMatches returns p's directory and the entries of it that p, with a
// glob in its last element, names: those that match, in the listing's
// order. A name with glob characters that is itself an entry's name is that
// entry alone, whatever else it matches as a pattern: stat, share and
// update take it so, and rm must not remove photo1.jpg when told
// photo[1].jpg. A glob ending in "/" names directories only, as a shell's
// does. A glob that matches nothing is a usage error, unless it is the name
// of an unfinished upload.
func globMatches(ctx context.Context, c *cosv2.Client, p string) (string, []cosv2.Entry, error) {
	dirsOnly := strings.HasSuffix(p, "/")
	dir, pat := path.Split(strings.TrimSuffix(p, "/"))
	var out []cosv2.Entry
	for e, err := range c.List(ctx, dir) {
		if err != nil {
			return "", nil, err
		}
		if dirsOnly && !e.IsDir {
			continue
		}
		name := strings.TrimSuffix(e.Name, "/")
		if name == pat {
			return dir, []cosv2.Entry{e}, nil
		}
		if ok, _ := path.Match(pat, name); ok {
			out = append(out, e)
		}
	}
	if len(out) == 0 && dirsOnly {
		return "", nil, usagef("%s matches no directory", p)
	}
	if len(out) == 0 {
		// Unfinished uploads are not listed: p may name one, as it is.
		if err := withIncomplete(ctx, c, p, cosv2.ErrFileNotExist); errors.As(err, new(*incompleteError)) {
			return "", nil, err
		}
		return "", nil, usagef("%s matches nothing", p)
	}
	return dir, out, nil
}

// namedDir reports whether es, what globMatches answered for p (no "/" at
// its end), is the directory p names as it is: p is then that directory's
// name without its slash, as docs/sa is, not a pattern that matched it.
func namedDir(p string, es []cosv2.Entry) bool {
	return len(es) == 1 && es[0].IsDir && strings.TrimSuffix(es[0].Name, "/") == path.Base(p)
}

// expandOne is the one entry remote argument p names for a command that
// takes one REMOTE: p, or the one entry its glob matches. A glob that
// matches several is refused, naming some: acting on one of them, or on
// p as a name no entry has, would not be what was asked.
func expandOne(ctx context.Context, c *cosv2.Client, verb, p string) (string, error) {
	got, err := expandRemote(ctx, c, p)
	if err != nil {
		return "", err
	}
	if len(got) > 1 {
		some := strings.Join(got[:min(len(got), 3)], ", ")
		if len(got) > 3 {
			some += ", ..."
		}
		return "", usagef("%s matches %d entries (%s): %s takes one", p, len(got), some, verb)
	}
	return got[0], nil
}

// expandAll expands every remote source; one that fails is counted in b and
// left out, so the others still go.
func expandAll(ctx context.Context, c *cosv2.Client, b *batch, srcs []string) []string {
	var all []string
	for _, s := range srcs {
		got, err := expandRemote(ctx, c, s)
		if err != nil {
			b.failed(s, err)
			continue
		}
		all = append(all, got...)
	}
	return all
}
