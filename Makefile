# postpress-go: build and checks. `make help` lists the targets, `make check`
# runs what CI runs (.ci/run).
#
# Tools are pinned, and installed by the targets that use them:
#   - oapi-codegen: go.mod (through tools.go), run by `go generate`;
#   - golangci-lint, benchstat: `go run pkg@version` (below), so the
#     library's go.mod stays free of them;
#   - Spectral, Redocly, Prism: package.json/package-lock.json, `npm ci`
#     into node_modules/;
#   - oasdiff, apidiff: .ci/evolution-lib.sh, `go install pkg@version` into
#     .cache/tools/.

SHELL := /bin/bash
GO ?= go
NPM ?= npm
GOLANGCI_LINT ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
BENCHSTAT ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
NODE_BIN := node_modules/.bin
export REDOCLY_TELEMETRY := off
export NO_UPDATE_NOTIFIER := 1

.PHONY: help check generate check-generated lint spec-lint test test-go-next reliability prism-test \
	spec-diff api-diff version-check test-evolution release-snapshot bench bench-smoke fuzz regen-test footprint \
	pg-test mutation sandbox-test

.DEFAULT_GOAL := check

## check: everything CI runs (each prerequisite is a target below).
check: check-generated lint spec-lint test test-go-next pg-test prism-test sandbox-test spec-diff api-diff version-check test-evolution bench-smoke fuzz

## help: list the targets.
help:
	@awk '/^## [a-z-]+: / { sub(/^## /, ""); i = index($$0, ": "); printf "  %-17s %s\n", substr($$0, 1, i - 1), substr($$0, i + 2) }' $(MAKEFILE_LIST)

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

## lint: go vet (the prism-tagged test too), gofmt and golangci-lint.
lint:
	$(GO) vet ./...
	$(GO) vet -tags prism ./internal/prismtest/
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out" >&2; exit 1; fi
	$(GO) run $(GOLANGCI_LINT) run ./...

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

## spec-lint: Spectral (spectral:oas, failing on warnings) and Redocly (recommended-strict) on openapi.yaml.
spec-lint: node_modules/.installed
	$(NODE_BIN)/spectral lint --fail-severity=warn --ruleset .spectral.yaml openapi.yaml
	$(NODE_BIN)/redocly lint --config redocly.yaml openapi.yaml

## prism-test: the generated client against Prism mocking openapi.yaml (the script starts and stops it).
prism-test: node_modules/.installed
	bash .ci/prism-test.sh

## sandbox-test: `postpress sandbox` driven from Node's built-in fetch: every scenario, live-shaped data (.ci/sandbox-node-test.mjs).
sandbox-test:
	@mkdir -p .cache/sandbox-test
	$(GO) build -o .cache/sandbox-test/postpress ./cmd/postpress
	node .ci/sandbox-node-test.mjs .cache/sandbox-test/postpress

# The reliability suites run once, in `reliability` with -v so that their
# figures (requests, retries, faults met, items, wall time) show, and the
# regeneration test once, in `regen-test` with -v so that each fact it
# checked shows; `test` skips both in its own run.
RELIABILITY_TESTS := ^(TestFaultMatrix|TestFaultMatrixResume|TestSharedClientConcurrentAccounts|TestEveryErrorTypeServed)$$
REGEN_TEST := ^TestRegeneration$$

## test: every Go test under the race detector (the reliability suites, the regeneration test and the PostgreSQL store's tests through their targets).
test: reliability regen-test
	POSTPRESS_SKIP_PG=1 $(GO) test -race -count=1 -skip '$(RELIABILITY_TESTS)|$(REGEN_TEST)' ./...

# The PostgreSQL store's tests need a server. Without POSTPRESS_PG_URL they
# start a throwaway cluster of their own when initdb is on the machine (on
# PATH or in /usr/lib/postgresql/*/bin), so `go test ./...` runs them as it
# is; without initdb they skip, saying why (and fail when CI=true).
# pg-test and test-go-next run them under .ci/with-postgres.sh, which also
# installs PostgreSQL with apt-get when it is missing, starts a throwaway
# cluster (initdb in a temporary directory as user postgres, a free port),
# exports POSTPRESS_PG_URL, and stops and removes it at the end, also on
# failure. POSTPRESS_SKIP_PG=1 skips them: `test` sets it, so that on the
# machine's Go they run once, in pg-test.

## pg-test: invsync/pgstore's tests (several workers, a killed worker, a restarted database, the CLI end to end) against a throwaway PostgreSQL.
pg-test:
	.ci/with-postgres.sh $(GO) test -race -count=1 -timeout 10m ./invsync/pgstore/...

# The library supports the two newest Go releases: the machine's (go.mod's
# `go` line, 1.26) and GO_NEXT, which the go command fetches from the module
# proxy as a toolchain module (GOTOOLCHAIN), so no machine needs it installed.
GO_NEXT ?= go1.27.3

## test-go-next: every Go test again on GO_NEXT (the newer supported Go release, fetched by the go command), the PostgreSQL store's with a throwaway server.
test-go-next:
	GOTOOLCHAIN=$(GO_NEXT) $(GO) version
	GOTOOLCHAIN=$(GO_NEXT) .ci/with-postgres.sh $(GO) test -race -count=1 ./...

## regen-test: in a scratch copy, spec edits of each kind reach the client, postpresstest and the CLI through go generate alone.
regen-test:
	set -o pipefail; $(GO) test -count=1 -run '$(REGEN_TEST)' -v ./internal/regentest \
		| grep -v -E '^=== (RUN|PAUSE|CONT|NAME)'

## reliability: fault matrix, resume, error types and concurrency suites, printing their figures.
reliability:
	set -o pipefail; $(GO) test -race -count=1 -run '$(RELIABILITY_TESTS)' -v ./client \
		| grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|    --- PASS: TestEveryErrorTypeServed/)'

# Compatibility checks. They compare the tree with the newest release
# snapshot api/vX.Y.Z/ (BASE=vX.Y.Z picks another); the rules are in
# internal/cmd/apicheck, the pinned tools in .ci/evolution-lib.sh. See
# CONTRIBUTING.md.

## spec-diff: openapi.yaml's wire-level changes (oasdiff); each breaking one needs a CHANGELOG entry naming it.
spec-diff:
	BASE="$(BASE)" .ci/spec-diff.sh

## api-diff: the exported Go API's changes (apidiff); each breaking one needs a CHANGELOG entry naming it.
api-diff:
	BASE="$(BASE)" .ci/api-diff.sh

## version-check: client.Version, CHANGELOG.md, the snapshots in api/ and the tags on HEAD agree.
version-check:
	$(GO) run ./internal/cmd/apicheck version

## test-evolution: the checks above on known breaking and compatible edits.
test-evolution:
	.ci/test-spec-evolution.sh

## release-snapshot: write release VERSION=X.Y.Z (snapshot api/vX.Y.Z/, client.Version, CHANGELOG heading).
release-snapshot:
	@if [ -z "$(VERSION)" ]; then echo "usage: make release-snapshot VERSION=X.Y.Z [DATE=YYYY-MM-DD]" >&2; exit 2; fi
	.ci/release-snapshot.sh "$(VERSION)" $(DATE)

# `bench` runs BENCH_ROUNDS interleaved rounds of every benchmark (the bench
# module's and the client package's decode benchmark, -count=1 each), then
# benchstat over all rounds and the ratios against the goals
# (bench/cmd/benchratio).
BENCH_ROUNDS ?= 6
BENCH_OUT ?= bench/out

## bench: every benchmark BENCH_ROUNDS times, with benchstat and the ratios against the goals.
bench:
	@mkdir -p $(BENCH_OUT) && : > $(BENCH_OUT)/raw.txt
	@for i in $$(seq $(BENCH_ROUNDS)); do \
		echo "bench: round $$i of $(BENCH_ROUNDS)" >&2; \
		(cd bench && $(GO) test -run '^$$' -bench . -benchmem -count=1 .) >> $(BENCH_OUT)/raw.txt || exit 1; \
		$(GO) test -run '^$$' -bench DecodePage -benchmem -count=1 ./client >> $(BENCH_OUT)/raw.txt || exit 1; \
	done
	$(GO) run $(BENCHSTAT) $(BENCH_OUT)/raw.txt | tee $(BENCH_OUT)/benchstat.txt
	cd bench && $(GO) run ./cmd/benchratio $(abspath $(BENCH_OUT))/raw.txt | tee $(abspath $(BENCH_OUT))/ratios.txt

## bench-smoke: every benchmark once, and the bench module's vet and tests.
bench-smoke:
	cd bench && $(GO) vet ./... && $(GO) test -count=1 -run . -bench . -benchtime=1x ./...
	$(GO) test -count=1 -run '^$$' -bench DecodePage -benchtime=1x ./client

## footprint: binary size and package-init time of a listing program with the client, against net/http + encoding/json, and of the CLI.
footprint:
	cd bench && $(GO) run ./cmd/footprint

# Fuzzing runs without -race by default: under the race detector, replaying
# FuzzDecodePage's seed corpus on a fresh cache takes most of a target's
# time (every seed already runs under -race in `test`).
# FUZZTIME is a count of inputs (Nx), not a duration: with a duration, Go
# 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" at the deadline on a loaded machine (golang/go#75804, fixed in
# Go 1.27). 40000x is about 10 s a target on an idle machine here (more
# under load, never a spurious failure); a duration (FUZZTIME=5m) works for
# a long run.
FUZZTIME ?= 40000x
FUZZFLAGS ?=

## fuzz: each fuzz target of client/*_test.go (found by grep) for FUZZTIME (FUZZFLAGS=-race for -race).
fuzz:
	@targets=$$(grep -h -o -E '^func Fuzz[A-Za-z0-9_]+' client/*_test.go | sed 's/^func //' | sort -u); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets found in client/*_test.go" >&2; exit 1; fi; \
	echo "fuzz: targets:" $$targets; \
	for f in $$targets; do \
		echo "fuzz: $$f for $(FUZZTIME)"; \
		$(GO) test $(FUZZFLAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime=$(FUZZTIME) ./client || exit 1; \
	done

# Mutation testing (not part of `check`: minutes to tens of minutes on 2
# cores). gremlins runs once per MUTATION_PKGS directory (each with its
# subpackages: invsync covers boltstore, pgstore and any other store under
# it, and runs under .ci/with-postgres.sh for pgstore's tests), in
# a copy of the tracked and untracked-but-not-ignored files under
# MUTATION_OUT/src (so neither node_modules nor a later edit reaches it).
# internal/cmd/mutationrun makes it faster in two ways:
#   - a directory whose key (`mutationrun key`: a hash of its packages'
#     sources, tests and testdata, of every module package they import, of
#     mutationrun's sources, of go.mod, go.sum and of the gremlins version
#     and flags) has a report in
#     MUTATION_OUT/cache reuses it without running gremlins;
#   - otherwise `mutationrun map` first runs each test alone with coverage
#     and records which tests reach each line, and gremlins runs with
#     mutationrun as its go command (MUTATION_OUT/bin/go, first on the PATH
#     of gremlins, installed as a binary so that no `go run` puts GOROOT/bin
#     before it), which gives each
#     mutant's `go test` a -run of the tests that reach the mutated line
#     (the fast ones first, the slow ones only when those pass, the
#     examples last), builds its
#     test binary once for both rounds, without vet and DWARF, and writes a
#     line a mutant (its line, rounds, exit code, wall and CPU seconds) to
#     MUTATION_OUT/<dir>.trace.tsv.
#     MUTATION_SELECT=0 runs every test of the package on each mutant.
# Each mutant's tests get a deadline of MUTATION_TIMEOUT_COEFFICIENT times
# the coverage run's time (-count=1 in GOFLAGS: a coverage run answered
# from the test cache takes 0.2 s and would time out every mutant); a
# mutant whose tests hang past it is TIMED OUT, listed with the survivors.
# internal/cmd/mutationreport sums the reports, writes the survivors to
# MUTATION_OUT/survivors.txt and prints "mutation efficacy: NN.N%" last
# (it fails below MUTATION_MIN, 90 by default, with make's error line then last;
# MUTATION_MIN=0 only reports).
# See CONTRIBUTING.md#mutation-testing.
GREMLINS ?= github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATION_PKGS ?= client invsync postpresstest
MUTATION_WORKERS ?= 2
MUTATION_TIMEOUT_COEFFICIENT ?= 10
MUTATION_MIN ?= 90
MUTATION_OUT ?= .cache/mutation
MUTATION_SELECT ?= 1

## mutation: gremlins over MUTATION_PKGS (reusing the report of an unchanged directory); the survivors to MUTATION_OUT/survivors.txt, "mutation efficacy: NN.N%" last.
mutation:
	@mkdir -p $(MUTATION_OUT)/cache && find $(MUTATION_OUT) -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} + && \
		mkdir -p $(MUTATION_OUT)/src $(MUTATION_OUT)/bin
	@git ls-files -z --cached --others --exclude-standard | \
		while IFS= read -r -d '' f; do [ -f "$$f" ] && printf '%s\0' "$$f"; done | \
		xargs -0 cp --parents -t $(MUTATION_OUT)/src
	@$(GO) build -o $(MUTATION_OUT)/mutationreport ./internal/cmd/mutationreport && \
		$(GO) build -o $(MUTATION_OUT)/mutationrun ./internal/cmd/mutationrun && \
		ln -s ../mutationrun $(MUTATION_OUT)/bin/go && \
		GOBIN=$(abspath $(MUTATION_OUT)) $(GO) install $(GREMLINS)
	@start=$$(date +%s); reports=; realgo=$$(command -v $(GO)); out=$(abspath $(MUTATION_OUT)); \
	for p in $(MUTATION_PKGS); do \
		name=$$(echo $$p | tr / _); \
		key=$$(cd $(MUTATION_OUT)/src && $$out/mutationrun key \
			-salt "$(GREMLINS) $(MUTATION_WORKERS) $(MUTATION_TIMEOUT_COEFFICIENT) $(MUTATION_SELECT) $(GOFLAGS)" $$p) || exit 1; \
		cached=$(MUTATION_OUT)/cache/$$name-$$key.json; \
		reports="$$reports $$p=$(MUTATION_OUT)/$$name.json"; \
		if [ -f "$$cached" ]; then \
			echo "mutation: $$p unchanged since $$cached: its report reused" >&2; \
			cp "$$cached" $(MUTATION_OUT)/$$name.json; continue; \
		fi; \
		pstart=$$(date +%s); \
		echo "mutation: $$p (gremlins, $(MUTATION_WORKERS) workers, log in $(MUTATION_OUT)/$$name.log)" >&2; \
		case $$p in invsync*) pg=.ci/with-postgres.sh;; *) pg=;; esac; \
		if [ "$(MUTATION_SELECT)" = 1 ]; then \
			mapcmd="$$out/mutationrun map -workers $(MUTATION_WORKERS) -o $$out/$$name.map.json $$p"; \
			sel="PATH=$$out/bin:$$PATH MUTATION_GO=$$realgo MUTATION_MAP=$$out/$$name.map.json MUTATION_SRC=$$out/src MUTATION_TRACE=$$out/$$name.trace.tsv"; \
		else mapcmd=true; sel=; fi; \
		(cd $(MUTATION_OUT)/src && GOFLAGS="$(GOFLAGS) -count=1" $$pg bash -c \
			"$$mapcmd && env $$sel $$out/gremlins unleash \
			--workers $(MUTATION_WORKERS) --timeout-coefficient $(MUTATION_TIMEOUT_COEFFICIENT) \
			-o $$out/$$name.json ./$$p") > $(MUTATION_OUT)/$$name.log 2>&1 \
			|| { tail -n 30 $(MUTATION_OUT)/$$name.log >&2; exit 1; }; \
		cp $(MUTATION_OUT)/$$name.json "$$cached"; \
		echo "mutation: $$p took $$(( $$(date +%s) - pstart )) s" >&2; \
	done; \
	echo "mutation: $$(( $$(date +%s) - start )) s for $(MUTATION_PKGS)" >&2; \
	$(MUTATION_OUT)/mutationreport -min $(MUTATION_MIN) -src $(MUTATION_OUT)/src \
		-survivors $(MUTATION_OUT)/survivors.txt $$reports
