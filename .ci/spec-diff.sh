#!/usr/bin/env bash
# make spec-diff: wire-level changes of openapi.yaml since a base ref, with
# oasdiff (pinned in .ci/evolution-lib.sh).
#
#   .ci/spec-diff.sh                 compare openapi.yaml with it at the base ref
#   .ci/spec-diff.sh OLD.yaml NEW.yaml   compare two files (used by the tests)
#
# Base ref: BASE=ref, else the latest release tag v*, else the first commit.
# Prints oasdiff's changelog (every change, with its level). Exits 3 if a
# change is breaking (level ERR, after .ci/oasdiff-levels.conf) and
# CHANGELOG.md (or $CHANGELOG) does not record breaking changes under an
# unreleased section (see changelog_breaking_section in evolution-lib.sh);
# any other non-zero exit is a tool or input failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=.ci/evolution-lib.sh
source "$root/.ci/evolution-lib.sh"

changelog="${CHANGELOG:-$root/CHANGELOG.md}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ $# -eq 2 ]]; then
	old="$1" new="$2" base_version="${BASE_VERSION:-}"
elif [[ $# -eq 0 ]]; then
	cd "$root"
	resolve_base
	base_version="$BASE_VERSION"
	new="$root/openapi.yaml"
	old="$tmp/base-openapi.yaml"
	if ! git cat-file -e "$BASE_COMMIT:openapi.yaml" 2>/dev/null; then
		echo "spec-diff: no openapi.yaml at the base: every operation is new (compatible)."
		exit 0
	fi
	git show "$BASE_COMMIT:openapi.yaml" >"$old"
else
	log "usage: $0 [OLD.yaml NEW.yaml]"
	exit 2
fi

grep -vE '^[[:space:]]*(#|$)' "$root/.ci/oasdiff-levels.conf" >"$tmp/levels.txt"
oasdiff="$(tool "$OASDIFF")"

# --flatten-allof: the error envelopes are allOf(ErrorEnvelope, {type enum});
# without it oasdiff compares allOf branches one by one and lowers what it
# finds there to WARN.
flags=(--flatten-allof --severity-levels "$tmp/levels.txt")

# 1. The changelog, every level, for the reader. Without --fail-on, a failure
#    here is a tool or spec-loading failure.
"$oasdiff" changelog "$old" "$new" "${flags[@]}" --color never

# 2. The verdict: the breaking changes (level ERR) as JSON. `"level":3` is
#    ERR; inside text fields quotes are escaped, so it cannot match there.
json="$("$oasdiff" breaking "$old" "$new" "${flags[@]}" --format json)"
errors="$( (grep -o '"level":3' <<<"$json" || true) | wc -l)"
if [[ "$errors" -eq 0 ]]; then
	echo "spec-diff: OK: no breaking wire-level changes."
	exit 0
fi
log "spec-diff: $errors breaking wire-level change(s) (level error above)."
allow_breaking_or_fail spec-diff "$changelog" "$base_version" || exit 3
