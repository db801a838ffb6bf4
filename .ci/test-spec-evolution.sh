#!/usr/bin/env bash
# make test-evolution: tests of the compatibility checks themselves.
#
# Applies known edits to copies (of openapi.yaml, of the module, of the
# repository) in a temp dir and asserts what spec-diff, api-diff,
# version-check and the base-ref choice make of them: each breaking edit is
# flagged (exit 3) with the expected oasdiff/apidiff finding, each compatible
# edit passes, and the CHANGELOG rule lets a recorded break through. Every
# edit is first checked to have changed what it meant to change, so a spec
# that drifts from the patterns below fails here instead of passing vacuously.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=.ci/evolution-lib.sh
source "$root/.ci/evolution-lib.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GOWORK=off

failures=0 passes=0
fail() { log "FAIL: $*"; failures=$((failures + 1)); }

# check NAME WANT_RC PATTERN... -- CMD...: run CMD (output to $tmp/NAME.log),
# then assert its exit code and that each PATTERN (fixed string) is in the output.
# WANT_RC "error" means a failure that is not a verdict: neither 0 nor 3.
check() {
	local name="$1" want="$2" rc=0 p
	shift 2
	local patterns=()
	while [[ "$1" != -- ]]; do patterns+=("$1"); shift; done
	shift
	local start=$SECONDS
	"$@" >"$tmp/$name.log" 2>&1 || rc=$?
	local ok=1
	if [[ "$want" == error ]]; then
		if [[ "$rc" -eq 0 || "$rc" -eq 3 ]]; then fail "$name: exit $rc, want a tool error"; ok=0; fi
	elif [[ "$rc" -ne "$want" ]]; then
		fail "$name: exit $rc, want $want"; ok=0
	fi
	for p in "${patterns[@]}"; do
		if ! grep -qF -- "$p" "$tmp/$name.log"; then fail "$name: output lacks: $p"; ok=0; fi
	done
	if [[ "$ok" -eq 1 ]]; then
		passes=$((passes + 1)); log "ok   $name ($((SECONDS - start))s)"
	else
		sed 's/^/    | /' "$tmp/$name.log" >&2
	fi
}

# edited SRC DST WANT_DIFF_LINES SED_ARGS...: DST = sed SED_ARGS SRC, and the
# edit must change exactly WANT_DIFF_LINES lines (removed + added).
edited() {
	local src="$1" dst="$2" want="$3" n
	shift 3
	sed "$@" "$src" >"$dst"
	n="$( (diff "$src" "$dst" || true) | (grep -c '^[<>]' || true))"
	if [[ "$n" -ne "$want" ]]; then
		fail "edit $(basename "$dst"): changed $n lines, want $want (did openapi.yaml change shape?)"
		return 1
	fi
}

# CHANGELOGs for the rule.
cat >"$tmp/cl-none.md" <<'MD'
# Changelog
## [Unreleased]
### Added
- something compatible
MD
cat >"$tmp/cl-breaking.md" <<'MD'
# Changelog
## [Unreleased]
### Breaking
- a recorded break
### Added
- something compatible
MD
cat >"$tmp/cl-empty-breaking.md" <<'MD'
# Changelog
## [Unreleased]
### Breaking
### Added
- a "Breaking" heading with no item does not count
MD
cat >"$tmp/cl-released-breaking.md" <<'MD'
# Changelog
## [Unreleased]
### Added
- something compatible
## [0.1.0] - 2026-01-01
### Breaking
- released already: does not cover breaks since v0.1.0
MD
cat >"$tmp/cl-release-commit.md" <<'MD'
# Changelog
## [Unreleased]
## [0.2.0] - 2026-02-01
### Breaking
- in the release commit, before the tag
## [0.1.0] - 2026-01-01
### Added
- first
MD

# ---------------------------------------------------------------- spec-diff
spec="$root/openapi.yaml"
s="$tmp/spec"
mkdir "$s"
cp "$spec" "$s/base.yaml"

# Breaking: `cursor` (InvitationList) no longer nullable.
edited "$spec" "$s/cursor.yaml" 1 -e '/^        cursor:$/,/^          description:/{/^          nullable: true$/d}' &&
	check spec-cursor-not-nullable 3 '[response-property-became-not-nullable]' 'the response property `cursor` became not nullable' -- \
		env CHANGELOG="$tmp/cl-none.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/cursor.yaml"
# Breaking: an error type removed from the 403 enum.
edited "$spec" "$s/enum-removed.yaml" 2 -e '/^        - errors\/resource_access_restricted$/d' -e '/^        - ResourceAccessRestricted$/d' &&
	check spec-enum-value-removed 3 '[response-property-enum-value-removed]' 'removed the `errors/resource_access_restricted` enum value' -- \
		env CHANGELOG="$tmp/cl-none.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/enum-removed.yaml"
# Breaking: invited_user renamed to invitee.
edited "$spec" "$s/rename.yaml" 4 -e 's/^        - invited_user$/        - invitee/' -e 's/^        invited_user:$/        invitee:/' &&
	check spec-field-renamed 3 '[response-required-property-removed]' 'removed the required property `items/items/invited_user`' -- \
		env CHANGELOG="$tmp/cl-none.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/rename.yaml"
# Non-breaking: a new optional field.
edited "$spec" "$s/new-field.yaml" 2 -e "/^          \\\$ref: '#\\/components\\/schemas\\/Inviter'\$/a\\
        note:\\
          type: string" &&
	check spec-optional-field-added 0 '[response-optional-property-added]' '0 error, 0 warning, 1 info' 'spec-diff: OK' -- \
		env CHANGELOG="$tmp/cl-none.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/new-field.yaml"
# Non-breaking, but a warning: a new error type in the 403 enum.
edited "$spec" "$s/enum-added.yaml" 2 -e '/^        - errors\/resource_access_restricted$/a\        - errors/new_error_type' -e '/^        - ResourceAccessRestricted$/a\        - NewErrorType' &&
	check spec-enum-value-added 0 '[response-property-enum-value-added]' '0 error, 1 warning, 0 info' 'spec-diff: OK' -- \
		env CHANGELOG="$tmp/cl-none.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/enum-added.yaml"
check spec-unchanged 0 'spec-diff: OK' -- \
	env CHANGELOG="$tmp/cl-none.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/base.yaml"
# The CHANGELOG rule, on the rename.
if [[ -f "$s/rename.yaml" ]]; then
	check rule-unreleased-breaking-allows 0 'allowed' '[response-required-property-removed]' -- \
		env CHANGELOG="$tmp/cl-breaking.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/rename.yaml"
	check rule-empty-breaking-section-fails 3 'FAIL' -- \
		env CHANGELOG="$tmp/cl-empty-breaking.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/rename.yaml"
	check rule-released-breaking-fails 3 'FAIL' -- \
		env CHANGELOG="$tmp/cl-released-breaking.md" BASE_VERSION=0.1.0 "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/rename.yaml"
	check rule-release-commit-allows 0 'allowed' "'## [0.2.0]'" -- \
		env CHANGELOG="$tmp/cl-release-commit.md" BASE_VERSION=0.1.0 "$root/.ci/spec-diff.sh" "$s/base.yaml" "$s/rename.yaml"
fi
check spec-invalid-revision-is-a-tool-error error 'failed to load revision spec' -- \
	env CHANGELOG="$tmp/cl-breaking.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$root/.ci/oasdiff-levels.conf"

# ----------------------------------------------------------------- api-diff
# copy_module DST: the module as it is on disk (tracked and new files).
copy_module() {
	mkdir -p "$1"
	(cd "$root" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$1")
}
m="$tmp/mod"
copy_module "$m/base"
check api-unchanged 0 'No changes to the exported API.' 'api-diff: OK' -- \
	env CHANGELOG="$tmp/cl-none.md" "$root/.ci/api-diff.sh" "$m/base" "$m/base"

# Compatible: a new exported function, a new package, a client.Version bump.
cp -r "$m/base" "$m/compatible"
printf 'package client\n\n// ProbeAdded is new.\nfunc ProbeAdded() {}\n' >"$m/compatible/client/zz_probe.go"
mkdir "$m/compatible/probe"
printf '// Package probe is new.\npackage probe\n\n// New is new.\nfunc New() {}\n' >"$m/compatible/probe/probe.go"
edited "$m/base/client/version.go" "$m/compatible/client/version.go" 2 -E 's/^const Version = "[^"]*"$/const Version = "99.0.0"/' &&
	check api-compatible 0 './client.ProbeAdded: added' 'package github.com/postpress/postpress-go/probe: added' \
		'./client.Version: value changed from' 'api-diff: OK' -- \
		env CHANGELOG="$tmp/cl-none.md" "$root/.ci/api-diff.sh" "$m/base" "$m/compatible"

# Incompatible: a removed name, a field whose type changed, a removed package.
cp -r "$m/base" "$m/old" && cp -r "$m/base" "$m/new"
printf 'package client\n\n// Probe is a probe.\ntype Probe struct{ N int }\n\n// ProbeRemoved goes.\nfunc ProbeRemoved() {}\n' >"$m/old/client/zz_probe.go"
printf 'package client\n\n// Probe is a probe.\ntype Probe struct{ N string }\n' >"$m/new/client/zz_probe.go"
mkdir "$m/old/probe"
printf '// Package probe goes.\npackage probe\n' >"$m/old/probe/probe.go"
check api-incompatible 3 './client.ProbeRemoved: removed' './client.Probe.N: changed from int to string' \
	'package github.com/postpress/postpress-go/probe: removed' 'api-diff: FAIL' -- \
	env CHANGELOG="$tmp/cl-none.md" "$root/.ci/api-diff.sh" "$m/old" "$m/new"
check api-incompatible-recorded 0 'allowed' -- \
	env CHANGELOG="$tmp/cl-breaking.md" "$root/.ci/api-diff.sh" "$m/old" "$m/new"

# End to end: the spec edit "cursor not nullable", regenerated, breaks gen.
# Only the generated layer is copied: the hand-written packages (client,
# postpresstest, ...) would not compile against the edited gen, which is
# what the check is meant to warn about, but apidiff must load the module.
gen_only() {
	mkdir -p "$2"
	(cd "$1" && cp -r --parents go.mod go.sum generate.go tools.go oapi-codegen.yaml openapi.yaml gen "$2")
}
gen_only "$m/base" "$m/genbase"
gen_only "$m/base" "$m/cursor"
if [[ -f "$s/cursor.yaml" ]]; then
	cp "$s/cursor.yaml" "$m/cursor/openapi.yaml"
	if (cd "$m/cursor" && go generate ./... >"$tmp/generate.log" 2>&1); then
		check api-regenerated-cursor 3 './gen.InvitationList.Cursor: changed from *string to string' -- \
			env CHANGELOG="$tmp/cl-none.md" "$root/.ci/api-diff.sh" "$m/genbase" "$m/cursor"
	else
		fail "go generate in the cursor copy failed"; cat "$tmp/generate.log" >&2
	fi
fi

# ------------------------------------------------------------ version-check
v="$tmp/ver"
mkdir -p "$v/client"
# make_version_tree VERSION MODULE CHANGELOG_BODY
make_version_tree() {
	rm -rf "${v:?}"/*; mkdir -p "$v/client"
	printf 'package client\n\nconst Version = "%s"\n' "$1" >"$v/client/version.go"
	printf 'module %s\n\ngo 1.26\n' "$2" >"$v/go.mod"
	printf '%s\n' "$3" >"$v/CHANGELOG.md"
}
mod=github.com/postpress/postpress-go
make_version_tree 0.1.0 "$mod" $'## [Unreleased]\n### Added\n- x'
check version-before-first-release 0 'version-check: OK' -- "$root/.ci/version-check.sh" "$v"
make_version_tree 0.1.0 "$mod" $'## [Unreleased]\n## [0.2.0] - 2026-02-01\n### Added\n- x'
check version-changelog-ahead-of-constant 1 'the latest release in' -- "$root/.ci/version-check.sh" "$v"
make_version_tree 0.1.1 "$mod" $'## [Unreleased]\n## [0.1.1] - 2026-02-01\n### Breaking\n- x\n## [0.1.0] - 2026-01-01'
check version-breaking-needs-bump 1 'is not a major bump over v0.1.0' -- env LATEST_TAG=v0.1.0 "$root/.ci/version-check.sh" "$v"
make_version_tree 0.2.0 "$mod" $'## [Unreleased]\n## [0.2.0] - 2026-02-01\n### Breaking\n- x\n## [0.1.0] - 2026-01-01'
check version-breaking-bumped 0 'version-check: OK' -- env LATEST_TAG=v0.1.0 "$root/.ci/version-check.sh" "$v"
make_version_tree 2.0.0 "$mod" $'## [Unreleased]\n## [2.0.0] - 2026-02-01\n### Breaking\n- x\n## [1.0.0] - 2026-01-01'
check version-v2-needs-module-suffix 1 'does not end in /v2' -- env LATEST_TAG=v1.0.0 "$root/.ci/version-check.sh" "$v"

# ---------------------------------------------------------------- base ref
# In clones of the committed history (uncommitted edits are not needed here).
r="$tmp/repo"
git clone -q --no-local "$root" "$r"
first="$(git -C "$r" rev-list --max-parents=0 HEAD | tail -n 1)"
base_in() { (cd "$1" && unset BASE && resolve_base && echo "commit=$BASE_COMMIT version=$BASE_VERSION"); }
check base-first-commit-without-tags 0 "commit=$first version=" 'first commit' -- base_in "$r"
git -C "$r" tag v0.1.0 "$first" && git -C "$r" tag v0.2.0 "$first" && git -C "$r" tag v0.10.0-rc.1 HEAD
check base-latest-release-tag 0 "version=0.2.0" '(latest release tag)' -- base_in "$r"
check base-override 0 "commit=$first version=0.1.0" -- bash -c "cd '$r' && source '$root/.ci/evolution-lib.sh' && BASE=v0.1.0 resolve_base && echo commit=\$BASE_COMMIT version=\$BASE_VERSION"
check base-override-unknown 1 'does not name a commit' -- bash -c "cd '$r' && source '$root/.ci/evolution-lib.sh' && BASE=no-such-ref resolve_base"
git clone -q --depth 1 "file://$r" "$r-shallow"
check base-shallow-clone 0 "commit=$(git -C "$r" rev-parse HEAD)" 'shallow clone' -- base_in "$r-shallow"

log "test-spec-evolution: $passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
