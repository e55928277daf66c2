#!/usr/bin/env bash
# The spec's breaking-change gate: compares spec/cos-v2.yaml with the spec of a
# base commit using oasdiff and fails on a breaking change (oasdiff level ERR)
# that spec/CHANGELOG.md does not record. Warnings are printed, not fatal.
#
# The base, first found of:
#   1. $SPEC_BASE, any git revision (e.g. SPEC_BASE=origin/main for a branch);
#   2. the newest tag spec-v* reachable from HEAD: the last release of the spec;
#   3. the first commit that has spec/cos-v2.yaml: there is no release tag yet,
#      and that commit is what the first users built on.
# Not HEAD's parent: a submission can carry many commits, and a breaking change
# in one of them must not pass because a later one left the spec alone. Against
# a fixed base every breaking change since it stays visible until it is
# recorded (and a tag spec-vX.Y.Z starts the next round afresh).
#
# spec/CHANGELOG.md is oasdiff's --err-ignore file: a line records a change when
# it holds "<METHOD> <path key> <the message as oasdiff prints it>", e.g.
#   - GET /files/v2/{appid}/{bucket}{path}#dir.list the `query` request parameter `delimiter` became required
# (no colon after the path). On failure this script prints the lines to add.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=spec/cos-v2.yaml
oasdiff=${OASDIFF:-$(go env GOPATH)/bin/oasdiff}

base=${SPEC_BASE:-}
how="SPEC_BASE"
if [ -z "$base" ]; then
	base=$(git describe --tags --abbrev=0 --match 'spec-v*' HEAD 2>/dev/null || true)
	how="the last release tag"
fi
if [ -z "$base" ]; then
	base=$(git log --diff-filter=A --format=%H -- "$spec" | tail -1)
	how="the first commit with the spec (no spec-v* tag yet)"
fi
if [ -z "$base" ]; then
	echo "spec-breaking: no commit has $spec yet: nothing to compare" >&2
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! git show "$base:$spec" >"$tmp/base.yaml" 2>"$tmp/err"; then
	echo "spec-breaking: cannot read $spec at $base ($how): $(cat "$tmp/err")" >&2
	echo "spec-breaking: a shallow clone lacks the history: fetch it, or set SPEC_BASE" >&2
	exit 1
fi
echo "spec-breaking: $spec against $(git rev-parse --short "$base") ($how)"
if "$oasdiff" breaking "$tmp/base.yaml" "$spec" --fail-on ERR --err-ignore spec/CHANGELOG.md --color never >"$tmp/out"; then
	cat "$tmp/out"
	exit 0
fi
cat "$tmp/out"
echo
echo "spec-breaking: a breaking change of the spec is not recorded in spec/CHANGELOG.md; record each as:"
"$oasdiff" breaking "$tmp/base.yaml" "$spec" --err-ignore spec/CHANGELOG.md -f json >"$tmp/out.json" || true
node -e 'for (const c of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) ?? [])
  if (c.level === 3) console.log(`- ${c.operation} ${c.path} ${c.text}`)' "$tmp/out.json"
exit 1
