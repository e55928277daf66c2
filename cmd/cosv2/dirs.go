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
	return &cli.Command{Name: "mkdir", Usage: "create a directory", ArgsUsage: "DIR/",
		Flags: []cli.Flag{&cli.StringFlag{Name: "attr", Usage: "the directory's biz_attr"}},
		Action: withClient(1, "DIR/", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			if err := c.MakeDir(ctx, a[0], cosv2.WithBizAttr(cmd.String("attr"))); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"created": a[0]}, "created "+a[0])
		})}
}

func rmdirCmd() *cli.Command {
	return &cli.Command{Name: "rmdir", Usage: "remove an empty directory", ArgsUsage: "DIR/",
		Action: withClient(1, "DIR/", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			if err := c.RemoveDir(ctx, a[0]); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"removed": a[0]}, "removed "+a[0])
		})}
}

type entryJSON struct {
	Name    string `json:"name"`
	Dir     bool   `json:"dir"`
	Size    int64  `json:"size"`
	SHA1    string `json:"sha1,omitempty"`
	Updated int64  `json:"mtime"`
}

func lsCmd() *cli.Command {
	return &cli.Command{Name: "ls", Usage: "list a directory", ArgsUsage: "DIR/",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "prefix", Usage: "only names starting with this"},
			&cli.IntFlag{Name: "limit", Usage: "stop after this many entries (0: all)"},
		},
		Action: withClient(1, "DIR/", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			var out []entryJSON
			var human strings.Builder
			for e, err := range c.List(ctx, a[0], cosv2.WithPrefix(cmd.String("prefix")), cosv2.WithLimit(cmd.Int("limit"))) {
				if err != nil {
					return err
				}
				out = append(out, entryJSON{Name: e.Name, Dir: e.IsDir, Size: e.Size, SHA1: e.SHA1, Updated: e.Updated.Unix()})
				fmt.Fprintf(&human, "%12d  %s  %s\n", e.Size, e.Updated.UTC().Format(time.DateTime), e.Name)
			}
			if out == nil {
				out = []entryJSON{}
			}
			return emit(cmd, out, strings.TrimSuffix(human.String(), "\n"))
		})}
}

func statCmd() *cli.Command {
	return &cli.Command{Name: "stat", Usage: "show a file's or a directory's attributes", ArgsUsage: "PATH",
		Action: withClient(1, "PATH", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			if strings.HasSuffix(a[0], "/") {
				d, err := c.StatDir(ctx, a[0])
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"path": d.Path, "biz_attr": d.BizAttr, "ctime": d.Created.Unix(), "mtime": d.Updated.Unix()},
					fmt.Sprintf("path:     %s\nbiz_attr: %s\nmtime:    %s", d.Path, d.BizAttr, d.Updated.UTC().Format(time.RFC3339)))
			}
			f, err := c.Stat(ctx, a[0])
			if err != nil {
				return err
			}
			return emit(cmd, map[string]any{"path": f.Path, "size": f.Size, "sha1": f.SHA1, "biz_attr": f.BizAttr, "authority": f.Authority,
				"headers": f.Headers, "ctime": f.Created.Unix(), "mtime": f.Updated.Unix(), "source_url": f.SourceURL},
				fmt.Sprintf("path:      %s\nsize:      %d\nsha1:      %s\nbiz_attr:  %s\nauthority: %s\nmtime:     %s\nurl:       %s",
					f.Path, f.Size, f.SHA1, f.BizAttr, f.Authority, f.Updated.UTC().Format(time.RFC3339), f.SourceURL))
		})}
}
