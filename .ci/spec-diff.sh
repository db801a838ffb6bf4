#!/usr/bin/env bash
# make spec-diff: the wire-level changes of openapi.yaml since the last
# release, with oasdiff (pinned in evolution-lib.sh). It prints every change
# with its level, then fails (exit 3) for each breaking one (level error,
# after .ci/oasdiff-levels.conf) that no entry of CHANGELOG.md's
# ## [Unreleased] / ### Breaking names (apicheck breaks).
#
#   .ci/spec-diff.sh                    openapi.yaml against api/vX.Y.Z/openapi.yaml:
#                                       the newest snapshot, or BASE=vX.Y.Z
#   .ci/spec-diff.sh OLD.yaml NEW.yaml  two files (the tests)
#
# CHANGELOG=file reads another changelog. Other exit codes: tool or input errors.
set -euo pipefail
# shellcheck source=.ci/evolution-lib.sh
source "$(dirname "$0")/evolution-lib.sh"
root="$evolution_root"

diff_sides spec-diff openapi.yaml openapi.yaml "[OLD.yaml NEW.yaml]" "$@"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
grep -vE '^[[:space:]]*(#|$)' "$root/.ci/oasdiff-levels.conf" >"$tmp/levels.txt"
oasdiff="$(tool "$OASDIFF")"
# --flatten-allof: the error envelopes are allOf(ErrorEnvelope, {type enum});
# without it oasdiff compares the branches one by one and lowers what it
# finds there to WARN.
flags=(--flatten-allof --severity-levels "$tmp/levels.txt")

"$oasdiff" changelog "$old" "$new" "${flags[@]}" --color never
"$oasdiff" breaking "$old" "$new" "${flags[@]}" --format json >"$tmp/breaking.json"
apicheck breaks -label spec-diff -oasdiff "$tmp/breaking.json" -changelog "${CHANGELOG:-$root/CHANGELOG.md}"
