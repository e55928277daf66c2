package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/cosv2/cosv2/server"
)

const serveDescription = `Runs a local COS v2 server: the JSON API under /files/v2/<appid>/<bucket>/
and downloads. Metadata is kept in SQLite (<data>/meta.db) or in PostgreSQL
(--meta postgres://..., for several servers sharing buckets); bytes under
<data>/blobs, in any S3-compatible store (--blobs s3://bucket/prefix, with
--s3-endpoint and credentials, AWS_* from the environment), or everything in
memory (--memory). Every API request needs a
valid signature, checked before its body is read; private files (authority
eWRPrivate, or any file of a --private-bucket that does not say otherwise)
need a multi-use signature to download, in Authorization or ?sign=.

Limits (flags below; 0 keeps the default): at most --max-conns connections,
--max-conns-per-peer of them from one remote address (one more is answered
503, -300); a request's header within
--read-header-timeout and all of it within --read-timeout (a 21 MB upload
needs 21 MB per --read-timeout); an answer within --write-timeout, a download
progressing at least every --write-timeout; idle keep-alive connections closed
after --idle-timeout; request bodies in memory at once at most --body-memory
bytes (a request waits for its share); one-time signatures accepted within
--once-window of their t, each remembered in the store until it leaves the
window (the longest window of the servers sharing the store; at most
--max-nonces; when full, one-time requests get -300 until some expire).
Fixed: a simple upload or form 21 MB, a JSON body 64 KB nested at most 32
deep, a form 16 parts of at most 4 KB of header each, a download's Range 16
ranges (more get the whole file), a path 1000 bytes, a name 255 bytes, a
file 1 TiB, custom headers those the document lists (Cache-Control,
Content-Type, Content-Disposition, Content-Language, Content-Encoding,
x-cos-meta-*), 32 per file, 1 KB each.

Browsers (this server's choice; the document says nothing of CORS): pages on
an origin given with --cors-origin (or any, with *) may call the API and
download: preflights are answered before any signature check, allowing
GET, HEAD, POST and the headers Authorization, Content-Type and Range (and
conditional ones); answers expose ETag, Content-Range and the like. No
cookies are ever allowed: the signature authorises. Without --cors-origin no
CORS header is sent.`

func serveCmd() *cli.Command {
	d := server.DefaultLimits()
	return &cli.Command{Name: "serve", Usage: "run a local COS v2 server", Description: serveDescription,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "the log on stderr, one line per request: text or json"},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8089", Usage: "address to listen on (port 0: any free port)", Sources: cli.EnvVars("COSV2_ADDR")},
			&cli.StringFlag{Name: "data", Usage: "data directory", Sources: cli.EnvVars("COSV2_DATA")},
			&cli.BoolFlag{Name: "memory", Usage: "keep everything in memory instead of --data"},
			&cli.StringFlag{Name: "meta", Usage: "a PostgreSQL URL (postgres://...) for the metadata, so several servers share buckets (default: SQLite in --data)", Sources: cli.EnvVars("COSV2_META")},
			&cli.StringFlag{Name: "blobs", Usage: "keep the bytes in an S3-compatible bucket, s3://bucket/prefix, instead of <data>/blobs (metadata stays in --data or --meta)", Sources: cli.EnvVars("COSV2_BLOBS")},
			&cli.StringFlag{Name: "s3-endpoint", Usage: "the S3 store of --blobs: host:port or http(s)://host:port (default: AWS)", Sources: cli.EnvVars("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")},
			&cli.StringFlag{Name: "s3-access-key", Usage: "access key id for --blobs", Sources: cli.EnvVars("AWS_ACCESS_KEY_ID")},
			&cli.StringFlag{Name: "s3-secret-key", Usage: "secret access key for --blobs", Sources: cli.EnvVars("AWS_SECRET_ACCESS_KEY")},
			&cli.StringFlag{Name: "s3-region", Usage: "region of --blobs' bucket (default: asked of the store)", Sources: cli.EnvVars("AWS_REGION", "AWS_DEFAULT_REGION")},
			&cli.DurationFlag{Name: "session-ttl", Value: 72 * time.Hour, Usage: "how long an unfinished slice upload lives (this server's choice: the document is silent)"},
			&cli.DurationFlag{Name: "drop-grace", Value: 2 * time.Minute, Usage: "how long the bytes of a deleted or replaced file stay for the downloads reading them (those still reading keep them to their end; negative: deleted at once)"},
			&cli.BoolFlag{Name: "validate", Usage: "check every request and answer against the spec"},
			&cli.StringFlag{Name: "base-url", Usage: "public base URL for the URLs in answers (default http://<addr>)"},
			&cli.StringSliceFlag{Name: "private-bucket", Usage: "a bucket whose files are private unless set otherwise (repeat or comma-separate)", Sources: cli.EnvVars("COSV2_PRIVATE_BUCKETS")},
			&cli.StringSliceFlag{Name: "cors-origin", Usage: "an origin (http://host:port) whose pages may call the server from a browser, or * for any (repeat or comma-separate; this server's choice, not the document's)", Sources: cli.EnvVars("COSV2_CORS_ORIGINS")},
			&cli.IntFlag{Name: "max-conns", Value: d.MaxConns, Usage: "connections open at once"},
			&cli.IntFlag{Name: "max-conns-per-peer", Value: d.MaxConnsPerPeer, Usage: "connections one remote address may hold (behind a proxy: --max-conns)"},
			&cli.DurationFlag{Name: "read-header-timeout", Value: d.ReadHeaderTimeout, Usage: "time for a request's header"},
			&cli.DurationFlag{Name: "read-timeout", Value: d.ReadTimeout, Usage: "time for a whole request, body included"},
			&cli.DurationFlag{Name: "write-timeout", Value: d.WriteTimeout, Usage: "time for an answer; a download must progress within it"},
			&cli.DurationFlag{Name: "idle-timeout", Value: d.IdleTimeout, Usage: "time a kept-alive connection may wait"},
			&cli.Int64Flag{Name: "body-memory", Value: d.BodyMemory, Usage: "bytes of request bodies held in memory at once"},
			&cli.DurationFlag{Name: "once-window", Value: d.OnceWindow, Usage: "how far a one-time signature's t may be from now"},
			&cli.IntFlag{Name: "max-nonces", Value: d.MaxNonces, Usage: "one-time signatures remembered within the window"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			buckets := splitList([]string{cmd.String("bucket")})
			if cmd.String("data") == "" && !cmd.Bool("memory") && (cmd.String("blobs") == "" || cmd.String("meta") == "") {
				return usagef("serve needs --data DIR, --memory, or --blobs with --meta")
			}
			if b := cmd.String("blobs"); b != "" && !strings.HasPrefix(b, "s3://") {
				return usagef("--blobs %q: want s3://bucket or s3://bucket/prefix", b)
			}
			if cmd.Bool("memory") && cmd.String("data") != "" {
				return usagef("--memory and --data (COSV2_DATA) exclude each other: with --memory nothing is kept in the data directory")
			}
			if cmd.Bool("memory") && cmd.String("meta") != "" {
				return usagef("--memory and --meta (COSV2_META) exclude each other (metadata in the database would outlive bytes in memory)")
			}
			if cmd.String("blobs") != "" && cmd.Bool("memory") {
				return usagef("--blobs and --memory exclude each other (bytes in S3 would outlive metadata in memory)")
			}
			for _, f := range []string{"appid", "secret-id", "secret-key"} {
				if cmd.String(f) == "" {
					return usagef("--%s is required", f)
				}
			}
			if len(buckets) == 0 {
				return usagef("--bucket is required")
			}
			var log *slog.Logger
			switch cmd.String("log-format") {
			case "text":
				log = slog.New(slog.NewTextHandler(cmd.Root().ErrWriter, nil))
			case "json":
				log = slog.New(slog.NewJSONHandler(cmd.Root().ErrWriter, nil))
			default:
				return usagef("--log-format %q: want text or json", cmd.String("log-format"))
			}
			log.Info("store", "meta", storeOf(cmd), "blobs", blobsOf(cmd))
			cfg := server.Config{AppID: cmd.String("appid"), Buckets: buckets, SecretID: cmd.String("secret-id"), SecretKey: cmd.String("secret-key"),
				DataDir: cmd.String("data"), Memory: cmd.Bool("memory"), Meta: cmd.String("meta"),
				Blobs: cmd.String("blobs"), S3Endpoint: cmd.String("s3-endpoint"), S3AccessKey: cmd.String("s3-access-key"), S3SecretKey: cmd.String("s3-secret-key"), S3Region: cmd.String("s3-region"),
				SessionTTL: cmd.Duration("session-ttl"), DropGrace: cmd.Duration("drop-grace"), Validate: cmd.Bool("validate"), BaseURL: cmd.String("base-url"),
				PrivateBuckets: splitList(cmd.StringSlice("private-bucket")),
				CORSOrigins:    splitList(cmd.StringSlice("cors-origin")),
				Logger:         log,
				Limits: server.Limits{MaxConns: int(cmd.Int("max-conns")), MaxConnsPerPeer: int(cmd.Int("max-conns-per-peer")), ReadHeaderTimeout: cmd.Duration("read-header-timeout"),
					ReadTimeout: cmd.Duration("read-timeout"), WriteTimeout: cmd.Duration("write-timeout"), IdleTimeout: cmd.Duration("idle-timeout"),
					BodyMemory: cmd.Int64("body-memory"), OnceWindow: cmd.Duration("once-window"), MaxNonces: int(cmd.Int("max-nonces"))}}
			return server.ListenAndServe(ctx, cfg, cmd.String("addr"), func(addr string) {
				fmt.Fprintf(cmd.Root().Writer, "listening on http://%s\n", addr)
			})
		}}
}

// splitList splits comma-separated values and drops empty ones.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				out = append(out, b)
			}
		}
	}
	return out
}

// storeOf says where cosv2 serve keeps the metadata.
func storeOf(cmd *cli.Command) string {
	switch {
	case cmd.String("meta") != "":
		return "postgresql"
	case cmd.Bool("memory"):
		return "memory"
	}
	return "sqlite " + filepath.Join(cmd.String("data"), "meta.db")
}

// blobsOf says where cosv2 serve keeps the bytes.
func blobsOf(cmd *cli.Command) string {
	switch {
	case cmd.String("blobs") != "":
		return cmd.String("blobs")
	case cmd.Bool("memory"):
		return "memory"
	}
	return "disk " + filepath.Join(cmd.String("data"), "blobs")
}
