# cosv2: `make test` is the whole check CI runs; `make demo` shows the product work.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

GOLANGCI_LINT_VERSION := v2.15.0
GOVULNCHECK_VERSION := v1.9.0
VERSITYGW_VERSION := v1.8.0
GOBIN := $(shell go env GOPATH)/bin
GOLANGCI_LINT := $(GOBIN)/golangci-lint
GOVULNCHECK := $(GOBIN)/govulncheck
VERSITYGW := $(GOBIN)/versitygw
OASDIFF_VERSION := v1.37.0
OASDIFF := $(GOBIN)/oasdiff
GINKGO := go run github.com/onsi/ginkgo/v2/ginkgo
# Generated files: `make check-generate` fails when regenerating changes any of them.
GENERATED := gen errors.gen.go clients/ts/src/gen
TS := clients/ts
CHROMIUM ?= /usr/bin/chromium

.PHONY: all tools generate check-generate api vet lint vulncheck spec-check spec-breaking docs unit unit-stores ts-test bench-ts test demo clean

all: test

## tools: install the pinned tools a fresh machine lacks (golangci-lint, govulncheck, versitygw, oasdiff, npm packages, Debian's chromium, tmux, time and postgresql)
tools:
	@if ! $(GOLANGCI_LINT) version 2>/dev/null | grep -q "$(GOLANGCI_LINT_VERSION:v%=%)"; then \
		echo "installing golangci-lint $(GOLANGCI_LINT_VERSION)"; \
		go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); \
	fi
	@# Installed by version, not pinned in tools.go: requiring golang.org/x/vuln in go.mod
	@# would raise the minimum versions of x/net, x/sync and x/tools for the library's users.
	@if ! $(GOVULNCHECK) -version 2>/dev/null | grep -q "govulncheck@$(GOVULNCHECK_VERSION)"; then \
		echo "installing govulncheck $(GOVULNCHECK_VERSION)"; \
		go install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION); \
	fi
	@# versitygw: the S3-compatible store of the server suite's S3 stores (scripts/s3.sh starts
	@# one per run). Installed by version like govulncheck: as a requirement in go.mod its
	@# dependencies (AWS SDK, Azure SDK, fiber, ...) would enter the module's graph.
	@if ! go version -m $(VERSITYGW) 2>/dev/null | grep -qE "^\s+mod\s+github.com/versity/versitygw\s+$(VERSITYGW_VERSION)\s"; then \
		echo "installing versitygw $(VERSITYGW_VERSION)"; \
		go install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION); \
	fi
	@# oasdiff by version too, for the same reason (scripts/spec-breaking.sh).
	@if ! go version -m $(OASDIFF) 2>/dev/null | grep -q "mod.*github.com/oasdiff/oasdiff.*$(OASDIFF_VERSION)"; then \
		echo "installing oasdiff $(OASDIFF_VERSION)"; \
		go install github.com/oasdiff/oasdiff@$(OASDIFF_VERSION); \
	fi
	npm ci --no-audit --no-fund
	cd $(TS) && npm ci --no-audit --no-fund
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing Debian's chromium for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi
	@# tmux for the CLI's end-to-end test in a real terminal (cmd/cosv2/tmux_test.go).
	@if ! command -v tmux >/dev/null 2>&1; then \
		echo "installing Debian's tmux for the terminal test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux; \
	fi
	@# GNU time for the peak RSS of bench/tree.sh (make bench-smoke).
	@if [ ! -x /usr/bin/time ]; then \
		echo "installing Debian's time for bench/tree.sh"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; \
	fi
	go mod download
	@# PostgreSQL for the server suite's PostgreSQL store (scripts/postgres.sh starts one per run).
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql"; \
		if [ "$$(id -u)" != 0 ]; then echo "make tools: installing postgresql needs root (apt-get install postgresql)" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

## generate: regenerate everything generated from spec/cos-v2.yaml and errcodes.yaml
## (Go, and for clients/ts the operation and error tables, from the same go generate step, and the types)
generate:
	go generate ./...
	npx --no-install openapi-typescript spec/cos-v2.yaml -o $(TS)/src/gen/schema.gen.ts

## check-generate: regenerate and fail if anything generated changed, or go.mod is untidy
check-generate: generate
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		echo "generated code differs from what is committed:"; git status --porcelain -- $(GENERATED); \
		git --no-pager diff --stat -- $(GENERATED); exit 1; fi
	go mod tidy -diff

## api: rewrite api.txt, the record of the exported API (its test fails when it is stale)
api:
	go run ./internal/tools/apilist > api.txt

vet:
	go vet ./...

## lint: golangci-lint with the repo's .golangci.yml
lint:
	$(GOLANGCI_LINT) run ./...

## vulncheck: known vulnerabilities in the code paths the module calls (needs vuln.go.dev,
## which this workplace's machines cannot reach: so it is not part of `test` yet)
vulncheck:
	$(GOVULNCHECK) ./...

## spec-check: lint the spec with Redocly, generate TypeScript types and type-check them
spec-check:
	npx --no-install redocly lint --config spec/redocly.yaml spec/cos-v2.yaml
	npx --no-install openapi-typescript spec/cos-v2.yaml -o spec/ts/cos-v2.d.ts
	npx --no-install tsc -p spec/ts/tsconfig.json

## spec-breaking: fail on a breaking change of the spec since its last release that spec/CHANGELOG.md does not record
spec-breaking:
	OASDIFF=$(OASDIFF) bash scripts/spec-breaking.sh

## docs: the API reference built from the spec with Redocly (docs/cos-v2.html, not committed)
docs:
	npx --no-install redocly build-docs spec/cos-v2.yaml --config spec/redocly.yaml -o docs/cos-v2.html

## unit: every ginkgo suite, with the race detector
unit:
	$(GINKGO) -r --race --randomize-all --keep-going --timeout=40m

## unit-stores: the server suite again with SQLite on disk, with PostgreSQL, and with PostgreSQL
## and S3 (versitygw) as the default store
unit-stores:
	COSV2_TEST_STORE=disk go test -count=1 ./server
	COSV2_TEST_STORE=postgres go test -count=1 ./server
	COSV2_TEST_STORE=s3 go test -count=1 ./server

## ts-test: the TypeScript client's node:test suites and the browser test, against a cosv2 built here
ts-test:
	@bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	go build -o "$$bin/cosv2" ./cmd/cosv2 && \
	cd $(TS) && COSV2_BIN="$$bin/cosv2" CHROMIUM=$(CHROMIUM) npm test

## bench-ts: the Node client's slice upload MB/s against the Go uploader's, same file, same server (SIZE_MB=256)
bench-ts:
	@bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	go build -o "$$bin/cosv2" ./cmd/cosv2 && \
	cd $(TS) && npm run build --silent && COSV2_BIN="$$bin/cosv2" node dist/bench/upload.bench.js

## test: the whole check (CI runs this): generate+diff, vet, lint, spec (lint, types, breaking changes, docs), all tests (Go, TS, browser), the demo
test: check-generate vet lint spec-check spec-breaking docs unit unit-stores ts-test demo bench-smoke

## demo: the main job, end to end on loopback (README's first command; make test runs it too, so it stays true)
demo:
	bash scripts/demo.sh

## bench-smoke: the benchmark scripts run through on small inputs (figures not judged)
bench-smoke:
	bash scripts/bench-smoke.sh

clean:
	rm -rf node_modules spec/ts/cos-v2.d.ts $(TS)/node_modules $(TS)/dist $(TS)/test-output
