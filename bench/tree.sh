#!/usr/bin/env bash
# cosv2 put -r of many small files against cosv2 serve on loopback: files/s
# as a ratio of the server benchmark's simple uploads/s measured in the same
# run (BenchmarkSimpleUploads' disk store: one client, serial, in process), and the
# CLI's peak RSS at two file counts, which should be about the same.
# Usage: bench/tree.sh [FILES (default 10000)] [SIZE in bytes (default 4096)]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-10000}
size=${2:-4096}
work=$(mktemp -d /tmp/cosv2-tree.XXXXXX)
trap 'kill "${serve_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/cosv2" ./cmd/cosv2

# Two trees: FILES files and a quarter of them, in directories of 500.
make_tree() { # DIR N
	mkdir -p "$1"
	head -c "$size" /dev/urandom >"$work/one"
	for ((i = 0; i < $2; i++)); do
		d="$1/d$((i / 500))"
		[[ -d $d ]] || mkdir -p "$d"
		cp "$work/one" "$d/f$i"
	done
}
make_tree "$work/small" $((files / 4))
make_tree "$work/big" "$files"

echo "server benchmark (64 KB simple uploads, serial, in process, disk store):"
bench=$(go test ./server -run '^$' -bench 'SimpleUploads$' -benchtime 2000x 2>/dev/null | grep -E 'disk-uploads/s')
server_rate=$(awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "disk-uploads/s") print $i}' <<<"$bench")
echo "  $server_rate uploads/s"

"$work/cosv2" serve --addr 127.0.0.1:0 --data "$work/data" --appid 1250000000 --bucket photos \
	--secret-id ID --secret-key KEY >"$work/serve.out" 2>/dev/null &
serve_pid=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
export COSV2_ENDPOINT=$(sed -n 's/^listening on //p' "$work/serve.out") COSV2_APPID=1250000000 COSV2_BUCKET=photos COSV2_SECRET_ID=ID COSV2_SECRET_KEY=KEY

run() { # TREE REMOTE -> "seconds rss_kb"
	/usr/bin/time -f '%e %M' -o "$work/time" "$work/cosv2" --quiet put -r "$1" "$2/" >/dev/null
	cat "$work/time"
}
read -r s_small rss_small < <(run "$work/small" small)
read -r s_big rss_big < <(run "$work/big" big)
awk -v n="$files" -v s="$s_big" -v srv="$server_rate" -v rs="$rss_small" -v rb="$rss_big" -v q=$((files / 4)) -v size="$size" 'BEGIN {
	rate = n / s
	printf "cosv2 put -r of %d files of %d bytes: %.1f s, %.0f files/s\n", n, size, s, rate
	printf "ratio to the server benchmark: %.2f (want >= 0.5)\n", rate / srv
	printf "peak RSS: %d files %.1f MB, %d files %.1f MB (x%.2f for x4 the files)\n", q, rs / 1024, n, rb / 1024, rb / rs
	exit (rate / srv >= 0.5) ? 0 : 1
}'
