package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2/signer"
)

func signCmd() *cli.Command {
	return &cli.Command{Name: "sign", Usage: "print a signature to hand to an end user",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "kind", Value: "multi", Usage: "multi (multi-use) or once (one-time)"},
			&cli.StringFlag{Name: "path", Usage: "for once: the file or directory/ it is bound to; for multi: a fileid prefix to bind to"},
			&cli.DurationFlag{Name: "ttl", Value: 60 * time.Second, Usage: "lifetime of a multi-use signature (at most 90 days)"},
			&cli.Int64Flag{Name: "now", Usage: "the time to sign at, Unix seconds", DefaultText: "now"},
			&cli.Uint64Flag{Name: "rand", Usage: "the random number r, 0 to 9999999999", DefaultText: "random"},
		},
		Action: func(_ context.Context, cmd *cli.Command) error {
			st, err := resolve(cmd)
			if err != nil {
				return err
			}
			var missing []string
			for _, f := range []string{"appid", "bucket", "secret-id", "secret-key"} {
				if *st.field(f) == "" {
					missing = append(missing, fmt.Sprintf("--%s (%s)", f, envName(f)))
				}
			}
			if len(missing) > 0 {
				return usagef("missing %s: give them as flags, in the environment, or in a profile", strings.Join(missing, ", "))
			}
			opts := []signer.Option{}
			if cmd.IsSet("now") {
				now := time.Unix(cmd.Int64("now"), 0)
				opts = append(opts, signer.WithClock(func() time.Time { return now }))
			}
			if cmd.IsSet("rand") {
				r := cmd.Uint64("rand")
				if r > signer.MaxRand {
					return usagef("--rand %d has more than 10 digits: at most %d", r, uint64(signer.MaxRand))
				}
				opts = append(opts, signer.WithRand(func() uint64 { return r }))
			}
			s, err := signer.New(signer.Credentials{AppID: st.AppID, SecretID: st.SecretID, SecretKey: st.SecretKey}, opts...)
			if err != nil {
				return usagef("%v", err)
			}
			var sig string
			switch cmd.String("kind") {
			case "multi":
				if ttl := cmd.Duration("ttl"); ttl <= 0 || ttl > signer.MaxTTL {
					return usagef("--ttl %s: want more than 0 and at most 90 days", ttl)
				}
				fileID := ""
				if p := cmd.String("path"); p != "" {
					fileID = signer.FileID(st.AppID, st.Bucket, p)
				}
				sig, err = s.MultiUse(st.Bucket, fileID, cmd.Duration("ttl"))
			case "once":
				if cmd.String("path") == "" {
					return usagef("a one-time signature needs --path")
				}
				sig, err = s.OneTime(st.Bucket, cmd.String("path"))
			default:
				return usagef("--kind %q: want multi or once", cmd.String("kind"))
			}
			if err != nil {
				return usagef("%v", err)
			}
			if cmd.Bool("json") {
				return emit(cmd, map[string]string{"signature": sig}, "")
			}
			_, err = fmt.Fprintln(cmd.Root().Writer, sig)
			return err
		}}
}
