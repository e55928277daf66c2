#!/usr/bin/env bash
# The main job: build cosv2, start a local COS v2 server on a free port with a
# temporary data directory, and run a short CLI session against it.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; wait "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/cosv2" ./cmd/cosv2
export COSV2_APPID=1250000000 COSV2_BUCKET=photos COSV2_SECRET_ID=AKIDdemo COSV2_SECRET_KEY=demo-secret-key
"$work/cosv2" serve --addr 127.0.0.1:0 --data "$work/data" --validate >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
export COSV2_ENDPOINT=$(sed -n 's/^listening on //p' "$work/serve.log")
echo "local COS v2 server at $COSV2_ENDPOINT (data in $work/data)"
cos() { echo "\$ cosv2 $*"; "$work/cosv2" "$@"; }
head -c 25000000 /dev/urandom >"$work/big.bin"
echo "hello, COS" >"$work/hello.txt"
cos mkdir demo/
cos put "$work/hello.txt" demo/hello.txt --attr greeting
cos put "$work/big.bin" demo/big.bin --concurrency 4
cos ls demo/
cos stat demo/hello.txt
cos update demo/hello.txt --authority eWPrivateRPublic --header "Content-Type: text/plain"
cos cp demo/hello.txt demo/copy.txt
cos mv demo/copy.txt demo/moved.txt
cos get demo/big.bin "$work/big.out"
cmp "$work/big.bin" "$work/big.out" && echo "downloaded bytes match"
cos --json stat demo/moved.txt
echo "\$ cosv2 rmdir demo/   # not empty: exit status 1"
"$work/cosv2" rmdir demo/ || echo "exit status $?"
cos rm demo/hello.txt
cos rm demo/moved.txt
cos rm demo/big.bin
cos rmdir demo/
cos sign --kind multi --ttl 10m

echo
echo "# trees and sync"
mkdir -p "$work/site/img" "$work/site/posts"
for i in 1 2 3; do echo "post $i" >"$work/site/posts/p$i.html"; done
echo "<h1>home</h1>" >"$work/site/index.html"
head -c 30000 /dev/urandom >"$work/site/img/logo.png"
cos put -r "$work/site" site/
cos ls -r -h site/
cos du -h site/
echo "post 2, edited" >"$work/site/posts/p2.html"
rm "$work/site/posts/p3.html"
cos sync --delete --dry-run "$work/site" site/
cos sync --delete "$work/site" site/
cos sync "$work/site" site/   # nothing differs now: no upload
cos sync site/ "$work/mirror"
diff -r "$work/site" "$work/mirror" && echo "the mirror matches the local tree"
cos share site/index.html --ttl 10m
cos rm -r --force site/
