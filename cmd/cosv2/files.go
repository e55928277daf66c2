package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
)

func updateCmd() *cli.Command {
	return &cli.Command{Name: "update", Usage: "change a file's attributes, or a directory's biz_attr", ArgsUsage: "REMOTE",
		Description: "REMOTE may end in a glob that matches one entry (docs/report-*).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "authority", Usage: "eInvalid, eWRPrivate or eWPrivateRPublic"},
			&cli.StringSliceFlag{Name: "header", Usage: "a custom header K:V (repeatable)"},
			&cli.StringFlag{Name: "attr", Usage: "biz_attr"},
		},
		Action: withClient(1, "REMOTE", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			if !cmd.IsSet("attr") && !cmd.IsSet("authority") && !cmd.IsSet("header") {
				// Nothing to change; on a directory an empty biz_attr would clear its own.
				return usagef("update needs --attr, --authority or --header")
			}
			p, err := expandOne(ctx, c, "update", a[0])
			if err != nil {
				return err
			}
			if strings.HasSuffix(p, "/") {
				if cmd.IsSet("authority") || cmd.IsSet("header") {
					return usagef("a directory has only --attr")
				}
				if err := c.UpdateDir(ctx, p, cmd.String("attr")); err != nil {
					return err
				}
				return emit(cmd, map[string]string{"updated": p}, "updated "+p)
			}
			var u cosv2.Update
			if cmd.IsSet("attr") {
				attr := cmd.String("attr")
				u.BizAttr = &attr
			}
			if cmd.IsSet("authority") {
				auth := cosv2.Authority(cmd.String("authority"))
				switch auth {
				case cosv2.AuthorityInherit, cosv2.AuthorityPrivate, cosv2.AuthorityPublicRead:
				default:
					return usagef("--authority %q: want eInvalid, eWRPrivate or eWPrivateRPublic", auth)
				}
				u.Authority = &auth
			}
			for _, h := range cmd.StringSlice("header") {
				k, v, ok := strings.Cut(h, ":")
				if !ok || strings.TrimSpace(k) == "" {
					return usagef("--header %q: want K:V", h)
				}
				if u.Headers == nil {
					u.Headers = map[string]string{}
				}
				u.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			if err := c.Update(ctx, p, u); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"updated": p}, "updated "+p)
		})}
}

// moveOrCopy is the signature Client.Move and Client.Copy share.
type moveOrCopy = func(context.Context, string, string, ...cosv2.MoveOption) error

func moveCopy(name, usage string, tree bool, do func(c *cosv2.Client) moveOrCopy) *cli.Command {
	flags := []cli.Flag{&cli.BoolFlag{Name: "overwrite", Usage: "replace an existing DST"}}
	if tree {
		flags = append(flags, treeFlags()...)
	} else {
		flags = append(flags, &cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 8, Usage: "files in flight at once"})
	}
	return &cli.Command{Name: name, Usage: usage, ArgsUsage: "SRC... DST",
		Description: "A DST ending in / or naming an existing directory receives each SRC under its own name; SRC may end in a glob.",
		Flags:       flags,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := atLeast(cmd, 2, "SRC... DST")
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			var opts []cosv2.MoveOption
			if cmd.Bool("overwrite") {
				opts = append(opts, cosv2.WithOverwrite())
			}
			op := do(c)
			srcs, dst := a[:len(a)-1], a[len(a)-1]
			if len(srcs) == 1 && !strings.HasSuffix(srcs[0], "/") && !cmd.Bool("recursive") && oneName(ctx, c, srcs[0]) {
				target, err := remoteTarget(ctx, c, dst, path.Base(srcs[0]))
				if err != nil {
					return err
				}
				if err := op(ctx, srcs[0], target, opts...); err != nil {
					return err
				}
				return emit(cmd, map[string]string{"from": srcs[0], "to": target}, name+" "+srcs[0]+" -> "+target)
			}
			dst = strings.TrimSuffix(dst, "/") + "/"
			existed, err := remoteDir(ctx, c, dst)
			if err != nil {
				return err
			}
			if err := mkdirAll(ctx, c, dst); err != nil {
				return err
			}
			b := newBatch(cmd, name)
			keep := filter(cmd)
			one := func(from, to string) {
				b.goFile(ctx, from, func() (int64, error) {
					if err := op(ctx, from, to, opts...); err != nil {
						return 0, err
					}
					line(cmd, map[string]string{"from": from, "to": to}, name+" "+from+" -> "+to)
					return 0, nil
				})
			}
			all := expandAll(ctx, c, b, srcs)
			for _, src := range all {
				isDir, err := remoteDir(ctx, c, src)
				if err != nil {
					b.failed(src, err)
					continue
				}
				if !isDir && strings.HasSuffix(src, "/") {
					b.failed(src, errors.New("no such directory"))
					continue
				}
				if !isDir {
					if keep(path.Base(src)) {
						one(src, dst+path.Base(src))
					}
					continue
				}
				if !tree || !cmd.Bool("recursive") {
					b.failed(src, usagef("is a directory (%s)", map[bool]string{true: "cp -r copies a tree", false: "mv moves files"}[tree]))
					continue
				}
				root := dst
				if existed || len(all) > 1 {
					root = dst + path.Base(strings.TrimSuffix(src, "/")) + "/"
				} else {
					b.resumeWith(dst+path.Base(strings.TrimSuffix(src, "/"))+"/", "cp", "-r", "--overwrite", strings.TrimSuffix(src, "/")+"/*", dst)
				}
				if within(root, src) {
					// The walk lists as it goes: it would copy its own copies until
					// the paths grow too long.
					b.failed(src, usagef("cannot copy a directory into itself (%s)", root))
					continue
				}
				if existed || len(all) > 1 {
					if err := mkdirAll(ctx, c, root); err != nil {
						b.failed(src, err)
						continue
					}
				}
				base := strings.TrimSuffix(src, "/") + "/"
				for e, err := range walkRemote(ctx, c, src) {
					if err != nil {
						b.failed(src, err)
						break
					}
					if e.IsDir {
						if err := c.MakeDir(ctx, root+e.rel); err != nil && !isExists(err) {
							b.failed(root+e.rel, err)
						}
						continue
					}
					if keep(e.rel) {
						one(base+e.rel, root+e.rel)
					}
				}
			}
			return b.done(ctx)
		}}
}

// within reports whether remote directory d is dir or lies below it.
func within(d, dir string) bool {
	d, errD := cosv2.DirPath(strings.TrimSuffix(d, "/") + "/")
	dir, errDir := cosv2.DirPath(strings.TrimSuffix(dir, "/") + "/")
	return errD == nil && errDir == nil && strings.HasPrefix(d, dir)
}

func mvCmd() *cli.Command {
	return moveCopy("mv", "move or rename files", false, func(c *cosv2.Client) moveOrCopy { return c.Move })
}

func cpCmd() *cli.Command {
	return moveCopy("cp", "copy files, or with -r directories", true, func(c *cosv2.Client) moveOrCopy { return c.Copy })
}

func rmCmd() *cli.Command {
	return &cli.Command{Name: "rm", Usage: "remove files, or with -r directories and all they hold", ArgsUsage: "REMOTE...",
		Flags: append(treeFlags(),
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "rm -r without asking"},
			&cli.BoolFlag{Name: "incomplete", Usage: "discard the unfinished upload of each REMOTE (a cosv2 server's extension), never a file"},
		),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := atLeast(cmd, 1, "REMOTE...")
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if cmd.Bool("incomplete") {
				for _, p := range a {
					if err := discard(ctx, c, p); err != nil {
						return err
					}
					line(cmd, map[string]string{"discarded": p}, "discarded the unfinished upload of "+p)
				}
				return nil
			}
			if len(a) == 1 && !cmd.Bool("recursive") && oneName(ctx, c, a[0]) {
				if strings.HasSuffix(a[0], "/") {
					return usagef("%s is a directory: rmdir removes an empty one, rm -r one and all it holds", a[0])
				}
				// Stat first: on cosv2 serve a delete of a path with only an
				// unfinished upload discards it, which rm must not do unasked.
				if _, err := c.Stat(ctx, a[0]); err != nil {
					return withIncomplete(ctx, c, a[0], err)
				}
				if err := c.Remove(ctx, a[0]); err != nil {
					return err
				}
				return emit(cmd, map[string]string{"removed": a[0]}, "removed "+a[0])
			}
			return rmTree(ctx, cmd, c, a)
		}}
}

// discard drops the unfinished upload of p, refusing when p is a file:
// --incomplete must never remove a finished one.
func discard(ctx context.Context, c *cosv2.Client, p string) error {
	if _, err := c.Stat(ctx, p); err == nil {
		return usagef("%s is a file, not an unfinished upload: rm without --incomplete removes it", p)
	} else if !cosv2.IsNotExist(err) {
		return err
	}
	if _, err := c.SliceList(ctx, p); err != nil {
		if hasGlob(p) && cosv2.IsNotExist(err) {
			// Unfinished uploads are not listed: a glob has nothing to match.
			return usagef("no unfinished upload is named %s: --incomplete takes an upload's exact path, and globs do not expand there (unfinished uploads are not listed)", p)
		}
		if cosv2.IsNotExist(err) || errors.Is(err, cosv2.ErrWrongSession) {
			return &contextError{context: p + " has no unfinished upload", err: err}
		}
		return err
	}
	return c.Remove(ctx, p)
}

func rmTree(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
	keep := filter(cmd)
	onlyFiles := filtered(cmd) // only the files the filters select go: every directory stays
	var files, dirs []string
	named := map[string]bool{} // files named as they are, not found by a glob or a walk
	for _, s := range a {
		got, err := expandRemote(ctx, c, s)
		if err != nil {
			return err
		}
		for _, p := range got {
			isDir, err := remoteDir(ctx, c, p)
			if err != nil {
				return err
			}
			if !isDir && strings.HasSuffix(p, "/") {
				return fmt.Errorf("%s: no such directory", p)
			}
			if !isDir {
				if keep(path.Base(p)) {
					files = append(files, p)
					named[p] = p == s
				}
				continue
			}
			if !cmd.Bool("recursive") {
				return usagef("%s is a directory: rm -r removes it and all it holds", p)
			}
			root := strings.TrimSuffix(p, "/") + "/"
			for e, err := range walkRemote(ctx, c, root) {
				if err != nil {
					return err
				}
				if e.IsDir {
					if !onlyFiles {
						dirs = append(dirs, root+e.rel)
					}
				} else if keep(e.rel) {
					files = append(files, root+e.rel)
				}
			}
			if !onlyFiles && root != "/" {
				dirs = append(dirs, root)
			}
		}
	}
	// Only a tree is asked about: rm a b removes what it names, as rm(1).
	if !cmd.Bool("force") && cmd.Bool("recursive") {
		if !isTerminal(os.Stdin) {
			return usagef("rm -r would remove %s and %s: add --force (no terminal to ask on)", count(len(files), "file"), count(len(dirs), "directory"))
		}
		fmt.Fprintf(cmd.Root().ErrWriter, "remove %s and %s? [y/N] ", count(len(files), "file"), count(len(dirs), "directory"))
		ans, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if a := strings.TrimSpace(strings.ToLower(ans)); a != "y" && a != "yes" {
			return usagef("nothing removed")
		}
	}
	b := newBatch(cmd, "rm")
	for _, f := range files {
		b.goFile(ctx, f, func() (int64, error) {
			if named[f] {
				// As rm of one file: a delete of a path with only an
				// unfinished upload would discard it, unasked.
				if _, err := c.Stat(ctx, f); err != nil {
					return 0, withIncomplete(ctx, c, f, err)
				}
			}
			if err := c.Remove(ctx, f); err != nil {
				return 0, err
			}
			line(cmd, map[string]string{"removed": f}, "removed "+f)
			return 0, nil
		})
	}
	b.wg.Wait()
	if b.fail.Load() == 0 {
		// Deepest first: a directory is empty once what it held is gone.
		sort.Slice(dirs, func(i, j int) bool { return strings.Count(dirs[i], "/") > strings.Count(dirs[j], "/") })
		for _, d := range dirs {
			if err := c.RemoveDir(ctx, d); err != nil && !cosv2.IsNotExist(err) {
				b.failed(d, err)
			}
		}
	}
	return b.done(ctx)
}

// incompleteError is a path with no file but an unfinished upload.
type incompleteError struct {
	path string
	err  error
}

func (e *incompleteError) Error() string {
	return fmt.Sprintf("%s is not a file yet: it has an unfinished upload (put it again to resume, or discard it with `cosv2 rm --incomplete %s`)", e.path, e.path)
}

func (e *incompleteError) Unwrap() error { return e.err }

// withIncomplete turns a not-exist error of p into an incompleteError when
// p has an unfinished upload; other errors are returned as they are.
func withIncomplete(ctx context.Context, c *cosv2.Client, p string, err error) error {
	if !cosv2.IsNotExist(err) {
		return err
	}
	if s, lerr := c.SliceList(ctx, p); lerr == nil && s.Object == nil {
		return &incompleteError{path: p, err: err}
	}
	return err
}
