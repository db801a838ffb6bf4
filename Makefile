# postpress-go build and checks. `make check` is what CI runs (.ci/run).
#
# Tools are pinned here and installed by the targets themselves:
#   - oapi-codegen: go.mod (through tools.go), run by `go generate`;
#   - golangci-lint: run with `go run pkg@version`, so the library's go.mod
#     stays free of linter dependencies;
#   - Spectral, Redocly, Prism: exact versions in package.json/package-lock.json,
#     installed with `npm ci` into node_modules/;
#   - oasdiff and apidiff (spec-diff, api-diff): .ci/evolution-lib.sh, built
#     with `go install pkg@version` into .cache/tools/.

SHELL := /bin/bash
GO ?= go
NPM ?= npm
GOLANGCI_LINT ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
NODE_BIN := node_modules/.bin
export REDOCLY_TELEMETRY := off
export NO_UPDATE_NOTIFIER := 1

.PHONY: all generate check-generated lint spec-lint test prism-test check

all: check

## generate: regenerate gen/ (oapi-codegen), the code specgen derives from the spec, and bench/ogen.
generate:
	$(GO) generate ./...
	cd bench && $(GO) generate ./...

## check-generated: regenerate and fail if any generated file (or go.mod/go.sum) changes.
check-generated:
	@state() { git status --porcelain -uall; git diff; }; before=$$(state | sha256sum); \
	$(MAKE) --no-print-directory generate && $(GO) mod tidy || exit 1; \
	if [ "$$(state | sha256sum)" != "$$before" ]; then \
		echo "generated code is out of date with openapi.yaml: run 'make generate' and commit." >&2; \
		git status --porcelain >&2; exit 1; \
	fi
	@echo "check-generated: gen/, specgen's outputs and bench/ogen match openapi.yaml"

## lint: go vet, gofmt and golangci-lint (pinned).
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out" >&2; exit 1; fi
	$(GO) run $(GOLANGCI_LINT) run ./...

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

## spec-lint: Spectral (spectral:oas, failing on warnings) and Redocly (recommended-strict).
spec-lint: node_modules/.installed
	$(NODE_BIN)/spectral lint --fail-severity=warn --ruleset .spectral.yaml openapi.yaml
	$(NODE_BIN)/redocly lint --config redocly.yaml openapi.yaml

## prism-test: the generated client against Prism mocking openapi.yaml (started and stopped by the script).
prism-test: node_modules/.installed
	bash .ci/prism-test.sh

## test: every Go test, under the race detector: the reliability suites
## once, with their figures (see reliability below), the regeneration test
## with its facts (see regen-test below), then all the others.
test: reliability regen-test
	$(GO) test -race -count=1 -skip '$(RELIABILITY_TESTS)|$(REGEN_TEST)' ./...

# --- regeneration ---------------------------------------------------------
# `regen-test` runs internal/regentest's TestRegeneration with -v so that
# each fact it checked shows: in a scratch copy of the repository it edits
# openapi.yaml (new properties of every JSON type, a new error type, a
# higher limit maximum, a new enum value), runs `go generate ./...` and
# checks through the client, postpresstest and the CLI that every new fact
# arrives. `go test ./...` runs it too (without the list of facts unless it
# fails).
.PHONY: regen-test
REGEN_TEST := ^TestRegeneration$$

## regen-test: a spec edit of each kind reaches users through go generate alone.
regen-test:
	set -o pipefail; $(GO) test -count=1 -run '$(REGEN_TEST)' -v ./internal/regentest \
		| grep -v -E '^=== (RUN|PAUSE|CONT|NAME)'
# --- end regeneration -----------------------------------------------------

## check: everything CI runs.
check: check-generated lint spec-lint test prism-test spec-diff api-diff version-check test-evolution

# --- spec evolution (issue 7): compatibility checks against a base ref -------
# Base ref: BASE=ref (e.g. `make spec-diff BASE=v0.1.0`), else the latest
# release tag v*, else the first commit. Pinned tools (oasdiff, apidiff) and
# the CHANGELOG rule are in .ci/evolution-lib.sh; see CHANGELOG.md's preamble.
.PHONY: spec-diff api-diff version-check test-evolution

## spec-diff: wire-level changes of openapi.yaml (oasdiff); breaking ones need a CHANGELOG entry.
spec-diff:
	BASE="$(BASE)" .ci/spec-diff.sh

## api-diff: exported Go API changes (apidiff); breaking ones need a CHANGELOG entry.
api-diff:
	BASE="$(BASE)" .ci/api-diff.sh

## version-check: client.Version, CHANGELOG.md and release tags agree.
version-check:
	.ci/version-check.sh

## test-evolution: the checks above flag known breaking edits and pass compatible ones.
test-evolution:
	.ci/test-spec-evolution.sh
# --- end spec evolution -------------------------------------------------------

# --- bench (issue 8): benchmarks in the bench/ module --------------------
# `make bench` runs BENCH_ROUNDS interleaved rounds of every benchmark (the
# bench module's and the client package's decode benchmark, one after the
# other in each round, -count=1), then benchstat over all rounds and the
# ratios against the goals (bench/cmd/benchratio). `bench-smoke` runs every
# benchmark once and the bench module's tests, and is part of `check`.
BENCHSTAT ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
BENCH_ROUNDS ?= 6
BENCH_OUT ?= bench/out

.PHONY: bench bench-smoke

bench:
	@mkdir -p $(BENCH_OUT) && : > $(BENCH_OUT)/raw.txt
	@for i in $$(seq $(BENCH_ROUNDS)); do \
		echo "bench: round $$i of $(BENCH_ROUNDS)" >&2; \
		(cd bench && $(GO) test -run '^$$' -bench . -benchmem -count=1 .) >> $(BENCH_OUT)/raw.txt || exit 1; \
		$(GO) test -run '^$$' -bench DecodePage -benchmem -count=1 ./client >> $(BENCH_OUT)/raw.txt || exit 1; \
	done
	$(GO) run $(BENCHSTAT) $(BENCH_OUT)/raw.txt | tee $(BENCH_OUT)/benchstat.txt
	cd bench && $(GO) run ./cmd/benchratio $(abspath $(BENCH_OUT))/raw.txt | tee $(abspath $(BENCH_OUT))/ratios.txt

bench-smoke:
	cd bench && $(GO) vet ./... && $(GO) test -count=1 -run . -bench . -benchtime=1x ./...
	$(GO) test -count=1 -run '^$$' -bench DecodePage -benchtime=1x ./client

check: bench-smoke
# --- end bench ------------------------------------------------------------

# --- reliability and fuzzing (issue 6) ---------------------------------------
# `reliability` runs these suites with -v so that their figures (requests,
# retries, faults met, items, wall time) show in the output of `make test`
# and `make check`; `test` runs them this way and skips them in its own run. `fuzz` runs every fuzz target of ./client,
# found by grep (so new targets join by themselves), FUZZTIME each.
.PHONY: reliability fuzz
FUZZTIME ?= 10s
# Fuzzing runs without -race by default: under the race detector a fresh
# cache spent the whole FUZZTIME replaying FuzzDecodePage's 580-entry seed
# corpus and never fuzzed (every seed already runs under -race in `test`).
# `make fuzz FUZZFLAGS=-race` to fuzz under it.
FUZZFLAGS ?=
FUZZ_PKG := ./client
RELIABILITY_TESTS := ^(TestFaultMatrix|TestFaultMatrixResume|TestSharedClientConcurrentAccounts|TestEveryErrorTypeServed)$$

## reliability: fault matrix, resume, error types and concurrency suites, printing their figures.
reliability:
	set -o pipefail; $(GO) test -race -count=1 -run '$(RELIABILITY_TESTS)' -v $(FUZZ_PKG) \
		| grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|    --- PASS: TestEveryErrorTypeServed/)'

## fuzz: each fuzz target in client/*_test.go for FUZZTIME (FUZZFLAGS for -race).
fuzz:
	@targets=$$(grep -h -o -E '^func Fuzz[A-Za-z0-9_]+' client/*_test.go | sed 's/^func //' | sort -u); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets found in client/*_test.go" >&2; exit 1; fi; \
	echo "fuzz: targets:" $$targets; \
	for f in $$targets; do \
		echo "fuzz: $$f for $(FUZZTIME)"; \
		$(GO) test $(FUZZFLAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime=$(FUZZTIME) $(FUZZ_PKG) || exit 1; \
	done

check: fuzz
# --- end reliability and fuzzing ---------------------------------------------
