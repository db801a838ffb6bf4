#!/usr/bin/env bash
# make release-snapshot VERSION=X.Y.Z [DATE=YYYY-MM-DD]: writes the files of
# the release commit (apicheck release): the snapshot api/vX.Y.Z/ (openapi.yaml
# and go.api, apidiff's export data of the non-internal packages),
# client.Version, and CHANGELOG.md's ## [Unreleased] renamed to
# ## [X.Y.Z] - DATE. It refuses a version the rules do not allow. The export
# data is made from a copy of the tree with the release applied, so it holds
# the released client.Version; the tree is written only if all went well.
set -euo pipefail
# shellcheck source=.ci/evolution-lib.sh
source "$(dirname "$0")/evolution-lib.sh"
[[ $# -eq 1 || $# -eq 2 ]] || { log "usage: $0 X.Y.Z [YYYY-MM-DD]"; exit 2; }
version="$1" date="${2:-$(date +%F)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

copy="$tmp/postpress-go"
mkdir "$copy"
(cd "$evolution_root" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
	[[ -e "$f" ]] && cp --parents "$f" "$copy/"
done; true)
apicheck release -root "$copy" -version "$version" -date "$date"
export_api "$copy" "$tmp/go.api"
apicheck release -root "$evolution_root" -version "$version" -date "$date" -export "$tmp/go.api"
