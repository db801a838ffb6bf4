#!/usr/bin/env bash
# make api-diff: changes of the module's exported Go API (every non-internal
# package: gen, client, ...) since a base ref, with apidiff (pinned in
# .ci/evolution-lib.sh).
#
#   .ci/api-diff.sh                  compare the working tree with the base ref
#   .ci/api-diff.sh OLD_DIR NEW_DIR  compare two module trees (used by the tests)
#
# Base ref: BASE=ref, else the latest release tag v*, else the first commit;
# it is extracted with `git archive` into a temp dir (no worktree is added).
# Packages that do not exist at the base are new (compatible); removed ones
# are incompatible. Exits 3 if there is an incompatible change and
# CHANGELOG.md (or $CHANGELOG) does not record breaking changes under an
# unreleased section (see changelog_breaking_section in evolution-lib.sh);
# any other non-zero exit is a tool or build failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=.ci/evolution-lib.sh
source "$root/.ci/evolution-lib.sh"

# Incompatible changes that are not API breaks. Extended regexps, matched
# against apidiff's "- ./pkg.Name: message" lines.
#  - client.Version is a constant, so apidiff reports every version bump as
#    "value changed"; bumping it is the release process, not a break.
ignore_re='^- \./client\.Version: value changed from '

changelog="${CHANGELOG:-$root/CHANGELOG.md}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GOWORK=off

if [[ $# -eq 2 ]]; then
	old="$(cd "$1" && pwd)" new="$(cd "$2" && pwd)" base_version="${BASE_VERSION:-}"
elif [[ $# -eq 0 ]]; then
	cd "$root"
	resolve_base
	base_version="$BASE_VERSION"
	old="$tmp/base" new="$root"
	mkdir "$old"
	git archive "$BASE_COMMIT" | tar -x -C "$old"
else
	log "usage: $0 [OLD_DIR NEW_DIR]"
	exit 2
fi

if [[ ! -f "$old/go.mod" ]]; then
	echo "api-diff: no go.mod at the base: every package is new (compatible)."
	exit 0
fi

apidiff="$(tool "$APIDIFF")"

# export_api DIR OUT: write the export data of DIR's module (all packages,
# type-checked, tests excluded) to OUT.
export_api() {
	local dir="$1" out="$2" mod
	mod="$(cd "$dir" && go list -m)"
	(cd "$dir" && "$apidiff" -m -w "$out" "$mod")
}
export_api "$old" "$tmp/old.api"
export_api "$new" "$tmp/new.api"

# The full report (compatible and incompatible) for the reader, then the
# verdict from the incompatible part alone (apidiff always exits 0).
report="$("$apidiff" -m "$tmp/old.api" "$tmp/new.api")"
echo "${report:-No changes to the exported API.}"
incompatible="$("$apidiff" -m -incompatible "$tmp/old.api" "$tmp/new.api")"
breaking="$( (grep -vE "$ignore_re" <<<"$incompatible" || true) | (grep -E '^- ' || true))"
if [[ -z "$breaking" ]]; then
	echo "api-diff: OK: no incompatible changes to the exported Go API."
	exit 0
fi
n="$(wc -l <<<"$breaking")"
log "api-diff: $n incompatible change(s) to the exported Go API:"
log "$breaking"
allow_breaking_or_fail api-diff "$changelog" "$base_version" || exit 3
