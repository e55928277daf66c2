#!/usr/bin/env bash
# Uploader throughput and memory on loopback, as ratios against a drain-only
# ceiling and a serial slice upload measured in the same run.
# With the cosv2 binary it builds, it also times `cosv2 put` to `cosv2 serve
# --memory` in other processes against the uploader to the draining server.
# Usage: bench/upload.sh [-sizes 256MB,1GB] [-rss 1GB,4GB]
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o /tmp/cosv2-uploadbench ./bench/uploadbench
go build -o /tmp/cosv2-bench-cli ./cmd/cosv2
exec /tmp/cosv2-uploadbench -cli /tmp/cosv2-bench-cli "$@"
