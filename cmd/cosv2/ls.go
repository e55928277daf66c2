package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
)

type entryJSON struct {
	Name    string `json:"name"`
	Dir     bool   `json:"dir"`
	Size    int64  `json:"size"`
	SHA1    string `json:"sha1,omitempty"`
	Updated int64  `json:"mtime"`
}

func size(cmd *cli.Command, n int64) string {
	if cmd.Bool("human-readable") {
		return fmt.Sprintf("%10s", humanSize(n))
	}
	return fmt.Sprintf("%12d", n)
}

func lsCmd() *cli.Command {
	return &cli.Command{Name: "ls", Usage: "list a directory (default the bucket root)", ArgsUsage: "[DIR/]",
		Description: "A glob in place of DIR/ (docs/*.txt) lists the entries of its directory that match.\n" +
			"A file's name prints its line; a directory's name without its slash lists it, as ls(1).\n" +
			"A glob ending in / (logs/2024-*/) lists each directory it matches, under a header when there are several.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "prefix", Usage: "only names starting with this"},
			&cli.IntFlag{Name: "limit", Usage: "stop after this many entries (0: all)"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "everything below, with paths relative to DIR/"},
			&cli.BoolFlag{Name: "human-readable", Aliases: []string{"h"}, Usage: "sizes in KiB, MiB, ..."},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			dir, err := dirArg(cmd)
			if err != nil {
				return err
			}
			glob := hasGlob(dir)
			dirs := glob && strings.HasSuffix(dir, "/") // each directory it matches is listed
			c, err := client(cmd)
			if err != nil {
				return err
			}
			switch {
			case dirs:
				return lsDirs(ctx, cmd, c, dir)
			case glob:
				return lsGlob(ctx, cmd, c, dir)
			case !strings.HasSuffix(dir, "/"):
				if dir, err = lsName(ctx, cmd, c, dir); err != nil || dir == "" {
					return err
				}
			}
			out := newListing(cmd)
			return out.end(lsDir(ctx, cmd, c, out, dir, ""))
		}}
}

// lsDir prints the entries of directory dir, or with -r all below it, each
// named under+its name, until out holds --limit entries.
func lsDir(ctx context.Context, cmd *cli.Command, c *cosv2.Client, out *listing, dir, under string) error {
	if out.full() {
		return nil
	}
	if !cmd.Bool("recursive") {
		left := max(cmd.Int("limit")-out.n, 0)
		for e, err := range c.List(ctx, dir, cosv2.WithPrefix(cmd.String("prefix")), cosv2.WithLimit(left)) {
			if err != nil {
				return err
			}
			if err := out.add(under+e.Name, e); err != nil {
				return err
			}
		}
		return nil
	}
	for e, err := range walkRemote(ctx, c, dir) {
		if err != nil {
			return err
		}
		if p := cmd.String("prefix"); p != "" && !strings.HasPrefix(e.rel, p) {
			continue
		}
		if err := out.add(under+e.rel, e.Entry); err != nil {
			return err
		}
		if out.full() {
			return nil
		}
	}
	return nil
}

// lsDirs is ls of a glob ending in "/": each directory it matches is listed
// as ls DIR/ lists it. Several are listed as ls(1) lists several
// directories, each under a header naming it; with --json, in one array,
// each name led by its directory's.
func lsDirs(ctx context.Context, cmd *cli.Command, c *cosv2.Client, glob string) error {
	parent, es, err := globMatches(ctx, c, glob)
	if err != nil {
		return err
	}
	out := newListing(cmd)
	for _, e := range es {
		if out.full() {
			break
		}
		dir, under := strings.TrimSuffix(e.Name, "/")+"/", ""
		switch {
		case len(es) == 1:
		case cmd.Bool("json"):
			under = dir
		default:
			if err := out.header(parent + dir); err != nil {
				return err
			}
		}
		if err := lsDir(ctx, cmd, c, out, parent+dir, under); err != nil {
			return out.end(err)
		}
	}
	return out.end(nil)
}

// lsGlob is ls of a glob: the entries of its directory that it names, by
// name, as ls DIR/ prints them.
func lsGlob(ctx context.Context, cmd *cli.Command, c *cosv2.Client, glob string) error {
	parent, es, err := globMatches(ctx, c, glob)
	if err != nil {
		return err
	}
	out := newListing(cmd)
	if namedDir(glob, es) {
		return out.end(lsDir(ctx, cmd, c, out, parent+es[0].Name, ""))
	}
	if cmd.Bool("recursive") {
		return usagef("ls -r takes a directory (DIR/), not a glob: %s", glob)
	}
	n := 0
	for _, e := range es {
		if !strings.HasPrefix(e.Name, cmd.String("prefix")) {
			continue
		}
		if err := out.add(e.Name, e); err != nil {
			return err
		}
		if n++; cmd.Int("limit") > 0 && n >= cmd.Int("limit") {
			break
		}
	}
	return out.end(nil)
}

// lsName is ls of a name without its slash, as ls(1) takes one: a file
// prints its line, named as ls DIR/ names it, and "" is returned; a
// directory is returned with its slash, to be listed. A name that is
// neither is not found, as stat says it.
func lsName(ctx context.Context, cmd *cli.Command, c *cosv2.Client, p string) (string, error) {
	f, err := c.Stat(ctx, p)
	if err == nil {
		out := newListing(cmd)
		if name := path.Base(p); strings.HasPrefix(name, cmd.String("prefix")) {
			e := cosv2.Entry{Name: name, Size: f.Size, SHA1: f.SHA1, Created: f.Created, Updated: f.Updated}
			if err := out.add(name, e); err != nil {
				return "", err
			}
		}
		return "", out.end(nil)
	}
	if !cosv2.IsNotExist(err) {
		return "", err
	}
	isDir, derr := remoteDir(ctx, c, p)
	if derr != nil {
		return "", derr
	}
	if !isDir {
		return "", withIncomplete(ctx, c, p, err)
	}
	return p + "/", nil
}

// listing prints ls's entries as they come, a page at a time: a tree of a
// million files is neither held in memory nor kept from a pipe until its
// end. With --json it is one array, as emit writes it, closed even when the
// listing fails after some entries.
type listing struct {
	cmd    *cli.Command
	w      io.Writer
	n      int
	headed bool // a header was printed
}

func newListing(cmd *cli.Command) *listing { return &listing{cmd: cmd, w: cmd.Root().Writer} }

func (l *listing) add(name string, e cosv2.Entry) error {
	defer func() { l.n++ }()
	if !l.cmd.Bool("json") {
		_, err := fmt.Fprintln(l.w, printable(fmt.Sprintf("%s  %s  %s", size(l.cmd, e.Size), e.Updated.UTC().Format(time.DateTime), name)))
		return err
	}
	raw, err := json.MarshalIndent(entryJSON{Name: name, Dir: e.IsDir, Size: e.Size, SHA1: e.SHA1, Updated: e.Updated.Unix()}, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if l.n == 0 {
		sep = "[\n  "
	}
	_, err = fmt.Fprintf(l.w, "%s%s", sep, raw)
	return err
}

// full reports whether the listing holds --limit entries.
func (l *listing) full() bool { return l.cmd.Int("limit") > 0 && l.n >= l.cmd.Int("limit") }

// header names the directory whose entries follow, as ls(1) does when it
// lists several: a blank line before every header but the first.
func (l *listing) header(dir string) error {
	sep := "\n"
	if !l.headed {
		sep, l.headed = "", true
	}
	_, err := fmt.Fprintf(l.w, "%s%s:\n", sep, printable(dir))
	return err
}

// end closes the JSON array begun and returns err, the listing's.
func (l *listing) end(err error) error {
	if !l.cmd.Bool("json") {
		return err
	}
	closing := "\n]\n"
	switch {
	case l.n == 0 && err != nil:
		return err // nothing on stdout, as before a listing that fails at once
	case l.n == 0:
		closing = "[]\n"
	}
	if _, werr := io.WriteString(l.w, closing); err == nil {
		err = werr
	}
	return err
}
