#!/usr/bin/env bash
# make api-diff: the changes of the module's exported Go API (its
# non-internal packages) since the last release, with apidiff (pinned in
# evolution-lib.sh). It prints apidiff's report, then fails (exit 3) for each
# incompatible change that no entry of CHANGELOG.md's ## [Unreleased] /
# ### Breaking names (apicheck breaks).
#
#   .ci/api-diff.sh            the working tree against api/vX.Y.Z/go.api: the
#                              newest snapshot, or BASE=vX.Y.Z
#   .ci/api-diff.sh OLD NEW    OLD, NEW: module directories or export data (the tests)
#
# CHANGELOG=file reads another changelog. Other exit codes: tool or build errors.
set -euo pipefail
# shellcheck source=.ci/evolution-lib.sh
source "$(dirname "$0")/evolution-lib.sh"
root="$evolution_root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

diff_sides api-diff go.api "" "[OLD NEW]" "$@"
for side in old new; do
	if [[ -d "${!side}" ]]; then
		export_api "$(cd "${!side}" && pwd)" "$tmp/$side.api"
		printf -v "$side" '%s' "$tmp/$side.api"
	fi
done

"$(tool "$APIDIFF")" -m "$old" "$new" >"$tmp/report.txt" 2> >(grep -v '^Ignoring internal package' >&2)
if [[ -s "$tmp/report.txt" ]]; then cat "$tmp/report.txt"; else echo "No changes to the exported API."; fi
apicheck breaks -label api-diff -apidiff "$tmp/report.txt" -changelog "${CHANGELOG:-$root/CHANGELOG.md}"
