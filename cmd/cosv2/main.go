// Command cosv2 is the command line of the COS v2 JSON API client, and the
// local COS v2 server.
//
//	cosv2 mkdir DIR/ | ls DIR/ | stat PATH | rmdir DIR/
//	cosv2 put LOCAL REMOTE | get REMOTE LOCAL | update REMOTE | mv SRC DST | cp SRC DST | rm REMOTE
//	cosv2 sign --kind multi|once [--path P] [--ttl 60s]
//	cosv2 serve --addr 127.0.0.1:8089 --data DIR --appid A --bucket B --secret-id ID --secret-key KEY
//
// Every flag has an environment variable (COSV2_ENDPOINT, COSV2_REGION,
// COSV2_APPID, COSV2_BUCKET, COSV2_SECRET_ID, COSV2_SECRET_KEY, ...). --json
// prints machine-readable output. The exit status is 0 on success, 1 on an API
// or transport error and 2 on a usage error.
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
