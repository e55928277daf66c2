package main

import (
	"context"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
)

func updateCmd() *cli.Command {
	return &cli.Command{Name: "update", Usage: "change a file's attributes, or a directory's biz_attr", ArgsUsage: "REMOTE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "authority", Usage: "eInvalid, eWRPrivate or eWPrivateRPublic"},
			&cli.StringSliceFlag{Name: "header", Usage: "a custom header K:V (repeatable)"},
			&cli.StringFlag{Name: "attr", Usage: "biz_attr"},
		},
		Action: withClient(1, "REMOTE", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			if strings.HasSuffix(a[0], "/") {
				if cmd.IsSet("authority") || cmd.IsSet("header") {
					return usagef("a directory has only --attr")
				}
				if err := c.UpdateDir(ctx, a[0], cmd.String("attr")); err != nil {
					return err
				}
				return emit(cmd, map[string]string{"updated": a[0]}, "updated "+a[0])
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
			if err := c.Update(ctx, a[0], u); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"updated": a[0]}, "updated "+a[0])
		})}
}

// moveOrCopy is the signature Client.Move and Client.Copy share.
type moveOrCopy = func(context.Context, string, string, ...cosv2.MoveOption) error

func moveCopy(name, usage string, do func(c *cosv2.Client) moveOrCopy) *cli.Command {
	return &cli.Command{Name: name, Usage: usage, ArgsUsage: "SRC DST",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "overwrite", Usage: "replace an existing DST"}},
		Action: withClient(2, "SRC DST", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			var opts []cosv2.MoveOption
			if cmd.Bool("overwrite") {
				opts = append(opts, cosv2.WithOverwrite())
			}
			if err := do(c)(ctx, a[0], a[1], opts...); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"from": a[0], "to": a[1]}, name+" "+a[0]+" -> "+a[1])
		})}
}

func mvCmd() *cli.Command {
	return moveCopy("mv", "move or rename a file", func(c *cosv2.Client) moveOrCopy { return c.Move })
}

func cpCmd() *cli.Command {
	return moveCopy("cp", "copy a file", func(c *cosv2.Client) moveOrCopy { return c.Copy })
}

func rmCmd() *cli.Command {
	return &cli.Command{Name: "rm", Usage: "remove a file", ArgsUsage: "REMOTE",
		Action: withClient(1, "REMOTE", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			if err := c.Remove(ctx, a[0]); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"removed": a[0]}, "removed "+a[0])
		})}
}
