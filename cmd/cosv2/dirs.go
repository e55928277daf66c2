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

func mkdirCmd() *cli.Command {
	return &cli.Command{Name: "mkdir", Usage: "create directories", ArgsUsage: "DIR/...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "attr", Usage: "the directory's biz_attr"},
			&cli.BoolFlag{Name: "parents", Aliases: []string{"p"}, Usage: "make parents as needed; an existing directory is fine"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := atLeast(cmd, 1, "DIR/...")
			if err != nil {
				return err
			}
			for _, d := range a {
				if _, err := cosv2.DirPath(d); err != nil {
					return fmt.Errorf("%w (a directory ends in /: %s/)", err, d)
				}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			for _, d := range a {
				if cmd.Bool("parents") {
					if err := mkdirAll(ctx, c, strings.TrimSuffix(d, "/")+"/"); err != nil {
						return err
					}
					if attr := cmd.String("attr"); attr != "" {
						if err := c.UpdateDir(ctx, d, attr); err != nil {
							return err
						}
					}
				} else if err := c.MakeDir(ctx, d, cosv2.WithBizAttr(cmd.String("attr"))); err != nil {
					return err
				}
				line(cmd, map[string]string{"created": d}, "created "+d)
			}
			return nil
		}}
}

func rmdirCmd() *cli.Command {
	return &cli.Command{Name: "rmdir", Usage: "remove an empty directory", ArgsUsage: "DIR/",
		Description: "A glob in place of DIR/ (logs/2019-*) names the one directory it matches.",
		Action: withClient(1, "DIR/", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			d, err := expandOne(ctx, c, "rmdir", a[0])
			if err != nil {
				return err
			}
			if hasGlob(a[0]) && !strings.HasSuffix(d, "/") {
				return usagef("%s is a file: rm removes it", d)
			}
			if err := c.RemoveDir(ctx, d); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"removed": d}, "removed "+d)
		})}
}

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
			if glob && !dirs && cmd.Bool("recursive") {
				return usagef("ls -r takes a directory (DIR/), not a glob: %s", dir)
			}
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
	_, es, err := globMatches(ctx, c, glob)
	if err != nil {
		return err
	}
	out := newListing(cmd)
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

func duCmd() *cli.Command {
	return &cli.Command{Name: "du", Usage: "total size and file count of a directory and all below", ArgsUsage: "[DIR/]",
		Description: "A glob in place of DIR/ (logs/2024-*) totals what it matches: files, and directories with all below.\n" +
			"A glob ending in / (logs/2024-*/) totals what the directories it matches hold.",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "human-readable", Aliases: []string{"h"}, Usage: "sizes in KiB, MiB, ..."}},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			dir, err := dirArg(cmd)
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			var files, dirs, bytes int64
			add := func(e cosv2.Entry) {
				if e.IsDir {
					dirs++
				} else {
					files++
					bytes += e.Size
				}
			}
			roots := []string{dir}
			if hasGlob(dir) {
				// What the glob matches, and below the directories among it;
				// a glob ending in "/" matches directories, each totalled as
				// du DIR/ totals it (itself not counted).
				parent, es, err := globMatches(ctx, c, dir)
				if err != nil {
					return err
				}
				roots = nil
				for _, e := range es {
					if !strings.HasSuffix(dir, "/") {
						add(e)
					}
					if e.IsDir {
						roots = append(roots, parent+e.Name)
					}
				}
			}
			for _, root := range roots {
				for e, err := range walkRemote(ctx, c, root) {
					if err != nil {
						return err
					}
					add(e.Entry)
				}
			}
			return emit(cmd, map[string]any{"path": dir, "size": bytes, "files": files, "dirs": dirs},
				fmt.Sprintf("%s  %s  (%s, %s)", strings.TrimSpace(size(cmd, bytes)), dir, count(int(files), "file"), count(int(dirs), "directory")))
		}}
}

func statCmd() *cli.Command {
	return &cli.Command{Name: "stat", Usage: "show a file's or a directory's attributes", ArgsUsage: "PATH",
		Description: "PATH may end in a glob that matches one entry (docs/report-*).",
		Action: withClient(1, "PATH", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			p, err := expandOne(ctx, c, "stat", a[0])
			if err != nil {
				return err
			}
			if strings.HasSuffix(p, "/") {
				d, err := c.StatDir(ctx, p)
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"path": d.Path, "biz_attr": d.BizAttr, "ctime": d.Created.Unix(), "mtime": d.Updated.Unix()},
					fmt.Sprintf("path:     %s\nbiz_attr: %s\nmtime:    %s", d.Path, d.BizAttr, d.Updated.UTC().Format(time.RFC3339)))
			}
			f, err := c.Stat(ctx, p)
			if err != nil {
				return withIncomplete(ctx, c, p, err)
			}
			return emit(cmd, map[string]any{"path": f.Path, "size": f.Size, "sha1": f.SHA1, "biz_attr": f.BizAttr, "authority": f.Authority,
				"headers": f.Headers, "ctime": f.Created.Unix(), "mtime": f.Updated.Unix(), "source_url": f.SourceURL},
				fmt.Sprintf("path:      %s\nsize:      %d\nsha1:      %s\nbiz_attr:  %s\nauthority: %s\nmtime:     %s\nurl:       %s",
					f.Path, f.Size, f.SHA1, f.BizAttr, f.Authority, f.Updated.UTC().Format(time.RFC3339), f.SourceURL))
		})}
}

// dirArg is the optional [DIR/] of ls and du: the bucket's root without one.
func dirArg(cmd *cli.Command) (string, error) {
	switch cmd.Args().Len() {
	case 0:
		return "/", nil
	case 1:
		return cmd.Args().First(), nil
	}
	return "", usagef("%s takes [DIR/]", cmd.Name)
}
