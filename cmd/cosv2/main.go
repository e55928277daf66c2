// Command cosv2 is the command line of the COS v2 JSON API client, and the
// local COS v2 server.
//
//	cosv2 mkdir [-p] DIR/... | ls [-r] [-h] [DIR/] | du [-h] [DIR/] | stat PATH | rmdir DIR/
//	cosv2 put [-r] LOCAL... REMOTE | get [-r] REMOTE... LOCAL | cat REMOTE... | update REMOTE
//	cosv2 mv SRC... DST | cp [-r] SRC... DST | rm [-r] [--force] [--incomplete] REMOTE...
//	cosv2 sync [--delete] [--dry-run] LOCAL REMOTE/ | sync REMOTE/ LOCAL (cos:PATH marks the remote side)
//	cosv2 share PATH [--ttl 1h] | sign --kind multi|once [--path P] [--ttl 60s]
//	cosv2 config set NAME --endpoint ... | config show [NAME]
//	cosv2 serve --addr 127.0.0.1:8089 --data DIR --appid A --bucket B --secret-id ID --secret-key KEY
//
// Targets follow cp: a destination ending in "/" or naming an existing
// directory receives each source under its own name; "-" is stdin for put
// and stdout for get. Commands of many files run --jobs at once, go on past a
// file that fails and exit 1 with a summary.
//
// Settings come from flags, then the environment (COSV2_ENDPOINT,
// COSV2_REGION, COSV2_APPID, COSV2_BUCKET, COSV2_SECRET_ID, COSV2_SECRET_KEY),
// then the profile (--profile or COSV2_PROFILE; "default" when none is named)
// saved in the user's config directory. --json prints machine-readable output
// and errors; --quiet drops the bar and notes; --debug logs each request.
// The exit status is 0 on success, 1 on an API or transport error, 2 on a
// usage error and 130 when interrupted (run the same command again to resume).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
