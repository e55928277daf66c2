#!/usr/bin/env bash
# Uploader throughput and memory on loopback, as ratios against a drain-only
# ceiling and a serial slice upload measured in the same run.
# Usage: bench/upload.sh [-sizes 256MB,1GB] [-rss 1GB,4GB]
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o /tmp/cosv2-uploadbench ./bench/uploadbench
exec /tmp/cosv2-uploadbench "$@"
