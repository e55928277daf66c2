#!/usr/bin/env bash
# A throwaway S3-compatible store on loopback for cosv2 serve --blobs and the
# tests: versitygw with its posix backend (buckets are directories of DIR/data).
#   scripts/s3.sh start DIR [PORT]   start it, print its endpoint and credentials
#                                    as export lines (eval "$(scripts/s3.sh start DIR)")
#   scripts/s3.sh stop DIR           stop it (DIR stays; rm -rf it)
# Buckets: make them with any S3 client, or as directories: mkdir DIR/data/NAME.
# Needs versitygw on PATH or in $(go env GOPATH)/bin (make tools installs it).
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the store}
vgw=$(command -v versitygw || true)
if [ -z "$vgw" ] && command -v go >/dev/null; then
	vgw=$(go env GOPATH)/bin/versitygw
fi
if [ ! -x "${vgw:-}" ]; then
	echo "s3.sh: versitygw is not installed (make tools, or go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)" >&2
	exit 1
fi
access=${S3_ACCESS_KEY:-cosv2test}
secret=${S3_SECRET_KEY:-cosv2test-secret}
case $cmd in
start)
	port=${3:-0}
	if [ "$port" = 0 ]; then # a free port, as the kernel picks one
		port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
			echo $((20000 + RANDOM % 20000)))
	fi
	mkdir -p "$dir/data"
	# setsid: its own process group, so a test run's signals do not reach it
	# before stop does.
	setsid "$vgw" --access "$access" --secret "$secret" --region us-east-1 --port "127.0.0.1:$port" --quiet \
		posix "$dir/data" >"$dir/server.log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$port"
			echo "export AWS_ACCESS_KEY_ID=$access"
			echo "export AWS_SECRET_ACCESS_KEY=$secret"
			echo "export AWS_REGION=us-east-1"
			exit 0
		fi
		if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "s3.sh: versitygw did not start:" >&2
	cat "$dir/server.log" >&2
	exit 1
	;;
stop)
	if [ -f "$dir/pid" ]; then
		pid=$(cat "$dir/pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$dir/pid"
	fi
	;;
*)
	echo "s3.sh: start or stop" >&2
	exit 2
	;;
esac
