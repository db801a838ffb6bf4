#!/usr/bin/env bash
# make test-evolution: the compatibility checks end to end, with the pinned
# tools (the rules themselves have table tests in internal/cmd/apicheck).
#
# Applies known edits to copies (of openapi.yaml, of the module, of a shallow
# clone) in a temp dir and asserts what spec-diff, api-diff and
# release-snapshot make of them: each breaking edit is flagged (exit 3) with
# the expected oasdiff/apidiff finding, each compatible edit passes, and only
# a Breaking entry that names a break lets it through. Every edit is first
# checked to have changed what it meant to change, so a spec that drifts from
# the patterns below fails here instead of passing vacuously.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=.ci/evolution-lib.sh
source "$root/.ci/evolution-lib.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

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

# changelog NAME BREAKING_ITEM...: $tmp/NAME.md with those ### Breaking items
# under ## [Unreleased] (none: no Breaking subsection).
changelog() {
	local f="$tmp/$1.md" item
	shift
	printf '# Changelog\n\n## [Unreleased]\n\n### Added\n\n- something compatible\n' >"$f"
	if [[ $# -gt 0 ]]; then printf '\n### Breaking\n\n' >>"$f"; fi
	for item in "$@"; do printf -- '- %s\n' "$item" >>"$f"; done
}
changelog cl-none
changelog cl-other 'the response property `cursor` is no longer nullable'
changelog cl-invited-user 'the required property `invited_user` is gone from invitations'
printf '# Changelog\n\n## [Unreleased]\n\n### Breaking\n\n### Added\n\n- `invited_user` (a Breaking heading with no item)\n' >"$tmp/cl-empty-breaking.md"
printf '# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n### Breaking\n\n- `invited_user` (released already)\n' >"$tmp/cl-released.md"

# ---------------------------------------------------------------- spec-diff
spec="$root/openapi.yaml"
s="$tmp/spec"
mkdir "$s"
cp "$spec" "$s/base.yaml"
specdiff() { local cl="$1"; shift; env CHANGELOG="$tmp/$cl.md" "$root/.ci/spec-diff.sh" "$s/base.yaml" "$@"; }

# Breaking: `cursor` (InvitationList) no longer nullable.
edited "$spec" "$s/cursor.yaml" 1 -e '/^        cursor:$/,/^          description:/{/^          nullable: true$/d}' &&
	check spec-cursor-not-nullable 3 '[response-property-became-not-nullable]' 'NOT RECORDED: `cursor`' -- specdiff cl-none "$s/cursor.yaml"
# Breaking: an error type removed from the 403 enum.
edited "$spec" "$s/enum-removed.yaml" 2 -e '/^        - errors\/resource_access_restricted$/d' -e '/^        - ResourceAccessRestricted$/d' &&
	check spec-enum-value-removed 3 '[response-property-enum-value-removed]' 'NOT RECORDED: `errors/resource_access_restricted`' -- specdiff cl-none "$s/enum-removed.yaml"
# Breaking: invited_user renamed to invitee.
edited "$spec" "$s/rename.yaml" 4 -e 's/^        - invited_user$/        - invitee/' -e 's/^        invited_user:$/        invitee:/' &&
	check spec-field-renamed 3 '[response-required-property-removed]' 'NOT RECORDED: `items/items/invited_user`' 'spec-diff: FAIL' -- specdiff cl-none "$s/rename.yaml"
# Breaking: the query parameter account_id renamed to account_ident.
edited "$spec" "$s/param.yaml" 2 -e 's/^      name: account_id$/      name: account_ident/' &&
	check spec-param-renamed 3 'NOT RECORDED: `account_id`: deleted the `query` request parameter `account_id`' 'NOT RECORDED: `account_ident`' \
		'- `account_id`: deleted' -- specdiff cl-none "$s/param.yaml"
# Non-breaking: a new optional field.
edited "$spec" "$s/new-field.yaml" 2 -e "/^          \\\$ref: '#\\/components\\/schemas\\/Inviter'\$/a\\
        note:\\
          type: string" &&
	check spec-optional-field-added 0 '[response-optional-property-added]' '0 error, 0 warning, 1 info' 'spec-diff: OK' -- specdiff cl-none "$s/new-field.yaml"
# Non-breaking, but a warning: a new error type in the 403 enum.
edited "$spec" "$s/enum-added.yaml" 2 -e '/^        - errors\/resource_access_restricted$/a\        - errors/new_error_type' -e '/^        - ResourceAccessRestricted$/a\        - NewErrorType' &&
	check spec-enum-value-added 0 '[response-property-enum-value-added]' '0 error, 1 warning, 0 info' 'spec-diff: OK' -- specdiff cl-none "$s/enum-added.yaml"
check spec-unchanged 0 'spec-diff: OK' -- specdiff cl-none "$s/base.yaml"
# The CHANGELOG rule, on the rename: only an unreleased Breaking entry that
# names invited_user lets it through.
if [[ -f "$s/rename.yaml" ]]; then
	check rule-entry-naming-it-admits 0 'recorded (' 'spec-diff: OK' -- specdiff cl-invited-user "$s/rename.yaml"
	check rule-entry-naming-another-fails 3 'NOT RECORDED: `items/items/invited_user`' -- specdiff cl-other "$s/rename.yaml"
	check rule-empty-breaking-fails 3 'spec-diff: FAIL' -- specdiff cl-empty-breaking "$s/rename.yaml"
	check rule-released-entry-fails 3 'spec-diff: FAIL' -- specdiff cl-released "$s/rename.yaml"
fi
check spec-invalid-revision-is-a-tool-error error 'failed to load revision spec' -- specdiff cl-none "$root/.ci/oasdiff-levels.conf"

# ----------------------------------------------------------------- api-diff
# copy_module DST: the module as it is on disk (tracked and new files).
copy_module() {
	mkdir -p "$1"
	(cd "$root" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[[ -e "$f" ]] && cp --parents "$f" "$1/"
	done; true)
}
apidiff_() { local cl="$1"; shift; env CHANGELOG="$tmp/$cl.md" "$root/.ci/api-diff.sh" "$@"; }
m="$tmp/mod"
copy_module "$m/base"
check api-unchanged 0 'No changes to the exported API.' 'api-diff: OK' -- apidiff_ cl-none "$m/base" "$m/base"

# Compatible: a new exported function, a new package, a client.Version bump.
cp -r "$m/base" "$m/compatible"
printf 'package client\n\n// ProbeAdded is new.\nfunc ProbeAdded() {}\n' >"$m/compatible/client/zz_probe.go"
mkdir "$m/compatible/probe"
printf '// Package probe is new.\npackage probe\n\n// New is new.\nfunc New() {}\n' >"$m/compatible/probe/probe.go"
edited "$m/base/client/version.go" "$m/compatible/client/version.go" 2 -E 's/^const Version = "[^"]*"$/const Version = "99.0.0"/' &&
	check api-compatible 0 './client.ProbeAdded: added' 'package github.com/postpress/postpress-go/probe: added' \
		'./client.Version: value changed from' 'api-diff: OK' -- apidiff_ cl-none "$m/base" "$m/compatible"

# Incompatible: a removed name, a field whose type changed, a removed package.
cp -r "$m/base" "$m/old" && cp -r "$m/base" "$m/new"
printf 'package client\n\n// Probe is a probe.\ntype Probe struct{ N int }\n\n// ProbeRemoved goes.\nfunc ProbeRemoved() {}\n' >"$m/old/client/zz_probe.go"
printf 'package client\n\n// Probe is a probe.\ntype Probe struct{ N string }\n' >"$m/new/client/zz_probe.go"
mkdir "$m/old/probe"
printf '// Package probe goes.\npackage probe\n' >"$m/old/probe/probe.go"
check api-incompatible 3 './client.ProbeRemoved: removed' './client.Probe.N: changed from int to string' \
	'package github.com/postpress/postpress-go/probe: removed' 'api-diff: FAIL: 3 breaking' -- apidiff_ cl-none "$m/old" "$m/new"
changelog cl-probe-part '`client.Probe` now holds a string'
check api-incompatible-partly-recorded 3 'NOT RECORDED: `client.ProbeRemoved`' 'NOT RECORDED: `github.com/postpress/postpress-go/probe`' \
	'recorded (' 'api-diff: FAIL: 2 breaking' -- apidiff_ cl-probe-part "$m/old" "$m/new"
changelog cl-probe '`client.ProbeRemoved` is removed; `client.Probe.N` is a string' 'package `probe` is removed'
check api-incompatible-recorded 0 'api-diff: OK: every breaking change is recorded' -- apidiff_ cl-probe "$m/old" "$m/new"

# End to end: the spec edit "cursor not nullable", regenerated (gen/ by
# oapi-codegen alone), breaks gen. Only the generated layer is copied: the hand-written packages (client,
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
	if (cd "$m/cursor" && go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml openapi.yaml >"$tmp/generate.log" 2>&1); then
		check api-regenerated-cursor 3 './gen.InvitationList.Cursor: changed from *string to string' 'NOT RECORDED: `gen.InvitationList.Cursor`' -- \
			apidiff_ cl-none "$m/genbase" "$m/cursor"
	else
		fail "go generate in the cursor copy failed"; cat "$tmp/generate.log" >&2
	fi
fi

# ------------------------------------------------- in a clone, against api/
# A shallow clone without tags of the committed history: the checks compare
# with the committed snapshot, and a release is cut with make release-snapshot.
r="$tmp/clone"
git clone -q --depth 1 "file://$root" "$r"
check clone-unchanged 0 'against api/v' 'spec-diff: OK' -- make -C "$r" --no-print-directory spec-diff
check clone-unknown-base error 'BASE=v9.9.9: there is no api/v9.9.9/' -- make -C "$r" --no-print-directory spec-diff BASE=v9.9.9
if edited "$r/openapi.yaml" "$tmp/clone-param.yaml" 2 -e 's/^      name: account_id$/      name: account_ident/'; then
	cp "$tmp/clone-param.yaml" "$r/openapi.yaml"
	check clone-param-renamed-unrecorded error 'NOT RECORDED: `account_id`' 'spec-diff] Error 3' -- make -C "$r" --no-print-directory spec-diff
	# The entry goes under ## [Unreleased] as the first subsection.
	sed -i '0,/^## \[Unreleased\]$/s//## [Unreleased]\n\n### Breaking\n\n- The query parameter `account_id` is now `account_ident`./' "$r/CHANGELOG.md"
	check clone-param-renamed-recorded 0 'spec-diff: OK: every breaking change is recorded' -- make -C "$r" --no-print-directory spec-diff
	# Releases over the latest snapshot: a patch one is refused (the entry is
	# Breaking) and changes nothing; a breaking bump is written.
	latest="$(cd "$r" && go run ./internal/cmd/apicheck baseline)"
	IFS=. read -r major minor patch <<<"${latest#api/v}"
	if [[ "$major" -eq 0 ]]; then
		status="$(git -C "$r" status --porcelain)"
		check clone-release-needs-bump error 'must be a breaking bump' -- make -C "$r" --no-print-directory release-snapshot VERSION="0.$minor.$((patch + 1))"
		[[ "$(git -C "$r" status --porcelain)" == "$status" ]] || fail "clone-release-needs-bump: the refused release changed the tree"
		next="0.$((minor + 1)).0"
		check clone-release 0 "release-snapshot: wrote api/v$next/" -- make -C "$r" --no-print-directory release-snapshot VERSION="$next" DATE=2099-01-01
		check clone-after-release 0 "against api/v$next/openapi.yaml" 'spec-diff: OK: no breaking' "version-check: OK: client.Version $next" \
			"## [$next] - 2099-01-01" -- bash -c "make -C '$r' --no-print-directory spec-diff version-check && cat '$r/CHANGELOG.md'"
		[[ -f "$r/$latest/go.api" && -f "$r/api/v$next/go.api" ]] || fail "clone-release: want both $latest/go.api and api/v$next/go.api"
	else
		fail "the release cases bump 0.x versions; from v1 on they need the module path's /vN"
	fi
fi

log "test-spec-evolution: $passes passed, $failures failed"
[[ "$failures" -eq 0 ]]
