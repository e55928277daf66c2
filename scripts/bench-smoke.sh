#!/usr/bin/env bash
# The benchmark scripts run through on small inputs, so they cannot rot
# unseen (make test runs this). Their figures are not judged here: speed is
# measured by the scripts themselves, never asserted in a test.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# bench/tree.sh exits 1 when its ratio is under its target: only that it
# printed the ratio counts here.
bash bench/tree.sh 200 >"$log" 2>&1
if ! grep -q 'ratio to the server benchmark' "$log"; then
	cat "$log"
	echo "bench-smoke: bench/tree.sh did not run through" >&2
	exit 1
fi

# bench/upload.sh prints one row per size in each of its three tables.
if ! bash bench/upload.sh -sizes 24MB -rss "" -runs 1 >"$log" 2>&1 || [[ $(grep -c '^24MB ' "$log") -ne 3 ]]; then
	cat "$log"
	echo "bench-smoke: bench/upload.sh did not run through" >&2
	exit 1
fi
echo "bench-smoke: bench/tree.sh and bench/upload.sh run through"
