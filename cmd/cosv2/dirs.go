package main

import (
	"context"
	"fmt"
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
				// du DIR/ totals it (itself not counted), as is a directory
				// that the glob, without its slash, is the exact name of.
				parent, es, err := globMatches(ctx, c, dir)
				if err != nil {
					return err
				}
				roots = nil
				for _, e := range es {
					if !strings.HasSuffix(dir, "/") && !namedDir(dir, es) {
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
