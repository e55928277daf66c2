package main

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2"
	"github.com/cosv2/cosv2/signer"
)

func init() {
	// -h is ls's and du's human-readable, as in ls(1) and du(1); --help stays.
	cli.HelpFlag = &cli.BoolFlag{Name: "help", Usage: "show help"}
}

func shareCmd() *cli.Command {
	return &cli.Command{Name: "share", Usage: "print a download URL anyone can use until it expires (private files too)", ArgsUsage: "REMOTE",
		Description: "REMOTE may end in a glob that matches one file (docs/report-*).",
		Flags:       []cli.Flag{&cli.DurationFlag{Name: "ttl", Value: time.Hour, Usage: "how long the URL works (at most 90 days)"}},
		Action: withClient(1, "REMOTE", func(ctx context.Context, cmd *cli.Command, c *cosv2.Client, a []string) error {
			ttl := cmd.Duration("ttl")
			if ttl <= 0 || ttl > signer.MaxTTL {
				return usagef("--ttl %s: want more than 0 and at most 90 days", ttl)
			}
			p, err := expandOne(ctx, c, "share", a[0])
			if err != nil {
				return err
			}
			st, err := c.Stat(ctx, p)
			if err != nil {
				return err
			}
			s, err := resolve(cmd)
			if err != nil {
				return err
			}
			sg, err := signer.New(signer.Credentials{AppID: s.AppID, SecretID: s.SecretID, SecretKey: s.SecretKey})
			if err != nil {
				return usagef("%v", err)
			}
			// Bound to the path alone, as the official SDKs sign download
			// URLs: the file's fileid would open the API too (an upload over
			// the file, a listing of the names that begin with its name).
			sig, err := sg.MultiUse(s.Bucket, signer.DownloadFileID(s.AppID, s.Bucket, st.Path), ttl)
			if err != nil {
				return err
			}
			u := st.SourceURL
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			u += sep + "sign=" + url.QueryEscape(sig)
			return emit(cmd, map[string]any{"url": u, "expires": time.Now().Add(ttl).Unix()}, u)
		})}
}
