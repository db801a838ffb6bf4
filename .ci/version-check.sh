#!/usr/bin/env bash
# make version-check: client.Version, CHANGELOG.md and the release tags agree.
#
#  1. client.Version (client/version.go) is a release version X.Y.Z.
#  2. CHANGELOG.md has a "## [Unreleased]" section.
#  3. Its latest released section "## [X.Y.Z] - date", if any, is client.Version
#     (before the first release there is none, and client.Version is the
#     version the first release will get).
#  4. A release tag on HEAD is "v" + client.Version.
#  5. If that section is newer than the latest release tag and lists
#     "### Breaking", it bumps the major version (the minor one while 0.x).
#  6. From v2 on, the module path ends in /vMAJOR (Go's import compatibility).
#
#   .ci/version-check.sh [ROOT]    ROOT defaults to the repository (tests pass a copy)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=.ci/evolution-lib.sh
source "$root/.ci/evolution-lib.sh"
dir="${1:-$root}"
changelog="$dir/CHANGELOG.md"
fail=0
bad() { log "version-check: FAIL: $*"; fail=1; }

version="$(sed -nE 's/^const Version = "([^"]*)"$/\1/p' "$dir/client/version.go")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { bad "client.Version is '$version', not X.Y.Z"; exit 1; }

grep -qE '^## \[Unreleased\]' "$changelog" || bad "$changelog has no '## [Unreleased]' section"

released="$(sed -nE 's/^## \[([0-9]+\.[0-9]+\.[0-9]+)\].*/\1/p' "$changelog" | head -n 1)"
if [[ -n "$released" && "$released" != "$version" ]]; then
	bad "the latest release in $changelog is $released, client.Version is $version: bump one of them"
fi

# Tags are read from the repository (absent in a clone without tags: skipped).
if [[ "$dir" == "$root" ]]; then
	for tag in $(git -C "$root" tag --points-at HEAD | grep -E "$release_tag_re" || true); do
		[[ "$tag" == "v$version" ]] || bad "HEAD is tagged $tag but client.Version is $version"
	done
	latest_tag="$(cd "$root" && latest_release_tag)"
else
	latest_tag="${LATEST_TAG:-}"
fi

# breaking_part X.Y.Z: the part whose bump means "breaking" (minor while 0.x).
breaking_part() {
	local IFS=. ; set -- $1
	if [[ "$1" -eq 0 ]]; then echo "0.$2"; else echo "$1"; fi
}
if [[ -n "$released" && -n "$latest_tag" && "v$released" != "$latest_tag" ]]; then
	if changelog_breaking_section "$changelog" "${latest_tag#v}" >/dev/null &&
		[[ "$(breaking_part "$released")" == "$(breaking_part "${latest_tag#v}")" ]]; then
		bad "$released lists '### Breaking' but is not a major bump over $latest_tag (minor while 0.x)"
	fi
fi

major="${version%%.*}"
if [[ "$major" -ge 2 ]]; then
	modpath="$(sed -nE 's/^module[[:space:]]+([^[:space:]]+).*/\1/p' "$dir/go.mod")"
	[[ "$modpath" == */v"$major" ]] || bad "client.Version is $version but the module path $modpath does not end in /v$major"
fi

[[ "$fail" -eq 0 ]] || exit 1
echo "version-check: OK: client.Version $version${released:+, latest CHANGELOG release $released}${latest_tag:+, latest tag $latest_tag}."
