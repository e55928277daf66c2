package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2/server"
)

func serveCmd() *cli.Command {
	return &cli.Command{Name: "serve", Usage: "run a local COS v2 server",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8089", Usage: "address to listen on (port 0: any free port)", Sources: cli.EnvVars("COSV2_ADDR")},
			&cli.StringFlag{Name: "data", Usage: "data directory", Sources: cli.EnvVars("COSV2_DATA")},
			&cli.BoolFlag{Name: "memory", Usage: "keep everything in memory instead of --data"},
			&cli.BoolFlag{Name: "validate", Usage: "check every request and answer against the spec"},
			&cli.StringFlag{Name: "base-url", Usage: "public base URL for the URLs in answers (default http://<addr>)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			buckets := []string{}
			for _, b := range strings.Split(cmd.String("bucket"), ",") {
				if b = strings.TrimSpace(b); b != "" {
					buckets = append(buckets, b)
				}
			}
			if cmd.String("data") == "" && !cmd.Bool("memory") {
				return usagef("serve needs --data DIR or --memory")
			}
			for _, f := range []string{"appid", "secret-id", "secret-key"} {
				if cmd.String(f) == "" {
					return usagef("--%s is required", f)
				}
			}
			if len(buckets) == 0 {
				return usagef("--bucket is required")
			}
			cfg := server.Config{AppID: cmd.String("appid"), Buckets: buckets, SecretID: cmd.String("secret-id"), SecretKey: cmd.String("secret-key"),
				DataDir: cmd.String("data"), Memory: cmd.Bool("memory"), Validate: cmd.Bool("validate"), BaseURL: cmd.String("base-url")}
			return server.ListenAndServe(ctx, cfg, cmd.String("addr"), func(addr string) {
				fmt.Fprintf(cmd.Root().Writer, "listening on http://%s\n", addr)
			})
		}}
}
