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
GINKGO := go run github.com/onsi/ginkgo/v2/ginkgo
# Generated files: `make check-generate` fails when regenerating changes any of them.
GENERATED := gen errors.gen.go

.PHONY: all tools generate check-generate api vet lint vulncheck spec-check unit unit-stores test demo clean

all: test

## tools: install the pinned tools a fresh machine lacks (golangci-lint, govulncheck, versitygw, npm packages, postgresql)
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
	npm ci --no-audit --no-fund
	go mod download
	@# PostgreSQL for the server suite's PostgreSQL store (scripts/postgres.sh starts one per run).
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing Debian's postgresql"; \
		if [ "$$(id -u)" != 0 ]; then echo "make tools: installing postgresql needs root (apt-get install postgresql)" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

## generate: regenerate everything generated from spec/cos-v2.yaml and errcodes.yaml
generate:
	go generate ./...

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

## unit: every ginkgo suite, with the race detector
unit:
	$(GINKGO) -r --race --randomize-all --keep-going --timeout=40m

## unit-stores: the server suite again with SQLite on disk, with PostgreSQL, and with PostgreSQL
## and S3 (versitygw) as the default store
unit-stores:
	COSV2_TEST_STORE=disk go test -count=1 ./server
	COSV2_TEST_STORE=postgres go test -count=1 ./server
	COSV2_TEST_STORE=s3 go test -count=1 ./server

## test: the whole check (CI runs this): generate+diff, vet, lint, spec, all tests
test: check-generate vet lint spec-check unit unit-stores

## demo: the main job, end to end on loopback
demo:
	bash scripts/demo.sh

clean:
	rm -rf node_modules spec/ts/cos-v2.d.ts
