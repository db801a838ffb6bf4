# shellcheck shell=bash
# Shared by .ci/spec-diff.sh, .ci/api-diff.sh, .ci/version-check.sh and their
# test, .ci/test-spec-evolution.sh. Source it; it defines no side effects
# beyond the pinned tool variables below.

# Pinned dev tools. These two lines are the only place their versions are
# written. Like `go run pkg@version` they stay out of go.mod, but they are
# built once per version (see tool below): `go run` costs ~0.5s a call even
# when cached, and the tests call them ~50 times.
: "${OASDIFF:=github.com/oasdiff/oasdiff@v1.37.0}"
: "${APIDIFF:=golang.org/x/exp/cmd/apidiff@v0.0.0-20261113113407-e3970619a1a4}"

log() { printf '%s\n' "$*" >&2; }

evolution_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# tool PKG@VERSION prints the path of that tool's binary, installing it first
# with `GOBIN=... go install PKG@VERSION` into .cache/tools/<PKG@VERSION>/
# (gitignored) if it is not there yet. A new pin gets a new directory.
tool() {
	local spec="$1" name dir
	name="${spec%@*}"
	name="${name##*/}"
	dir="$evolution_root/.cache/tools/${spec//\//_}"
	if [[ ! -x "$dir/$name" ]]; then
		log "installing $spec into ${dir#"$evolution_root"/}"
		GOBIN="$dir" GOWORK=off go install "$spec" >&2
	fi
	printf '%s\n' "$dir/$name"
}

# release_tag_re matches release tags: vMAJOR.MINOR.PATCH, no pre-release.
release_tag_re='^v[0-9]+\.[0-9]+\.[0-9]+$'

# latest_release_tag prints the highest release tag reachable from HEAD, or
# nothing if there is none (no tags yet, or a clone without tags).
latest_release_tag() {
	git tag --list 'v*' --merged HEAD --sort=-v:refname | grep -E "$release_tag_re" | head -n 1 || true
}

# resolve_base sets BASE_COMMIT to the commit to compare against and
# BASE_VERSION to its release version ("" when the base is not a release tag).
#   BASE=ref          : that ref (must resolve), e.g. BASE=v0.1.0 or BASE=origin/main
#   else latest tag   : the highest vX.Y.Z tag reachable from HEAD
#   else first commit : the oldest commit reachable from HEAD (in a shallow
#                       clone, the oldest commit fetched: says so loudly)
# Explanations go to stderr. Nothing is fetched.
# (Not initialised here: the scripts read BASE_VERSION from the environment in
# their two-file mode, which the tests use.)
resolve_base() {
	local ref tag
	BASE_VERSION=""
	if [[ -n "${BASE:-}" ]]; then
		ref="$BASE"
		if ! git rev-parse --verify --quiet "${ref}^{commit}" >/dev/null; then
			log "BASE=$ref does not name a commit in this clone (fetch it, or its tags, first)."
			return 1
		fi
		if [[ "$ref" =~ $release_tag_re ]] && git rev-parse --verify --quiet "refs/tags/$ref" >/dev/null; then
			BASE_VERSION="${ref#v}"
		fi
		log "base: $ref (BASE=...)"
	else
		tag="$(latest_release_tag)"
		if [[ -n "$tag" ]]; then
			ref="$tag"
			BASE_VERSION="${tag#v}"
			log "base: $tag (latest release tag)"
		else
			ref="$(git rev-list --max-parents=0 HEAD | tail -n 1)"
			if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then
				log "base: $ref — WARNING: shallow clone without release tags; this is the oldest"
				log "      commit fetched, not the first commit. For a real comparison run"
				log "      'git fetch --unshallow --tags' (or pass BASE=ref)."
			else
				log "base: $ref (no release tag v*; first commit)"
			fi
		fi
	fi
	BASE_COMMIT="$(git rev-parse --verify "${ref}^{commit}")"
}

# changelog_breaking_section CHANGELOG BASE_VERSION
# The CHANGELOG rule. Breaking changes since the base are allowed when a
# section that is not released at the base lists them under a "### Breaking"
# heading with at least one "- " item. "Not released at the base" means every
# "## [...]" section above the one for BASE_VERSION: "## [Unreleased]", and a
# "## [X.Y.Z] - date" section written in the release commit before the tag.
# With no BASE_VERSION (base is not a release), every section counts.
# Prints the name of the first such section and returns 0; returns 1 if none.
changelog_breaking_section() {
	local changelog="$1" base_version="$2"
	[[ -f "$changelog" ]] || { log "$changelog not found"; return 1; }
	awk -v base="$base_version" '
		/^## \[/ {
			name = $0; sub(/^## \[/, "", name); sub(/\].*$/, "", name)
			if (base != "" && name == base) exit
			section = name; inbreaking = 0; next
		}
		/^### / { inbreaking = ($0 ~ /^### Breaking[[:space:]]*$/); next }
		/^## / { inbreaking = 0; next }
		inbreaking && /^[-*] [^[:space:]]/ && section != "" { print section; found = 1; exit }
		END { exit found ? 0 : 1 }
	' "$changelog"
}

# allow_breaking_or_fail WHAT CHANGELOG BASE_VERSION: the end of both diffs
# when they found breaking changes.
allow_breaking_or_fail() {
	local what="$1" changelog="$2" base_version="$3" section
	if section="$(changelog_breaking_section "$changelog" "$base_version")"; then
		log "$what: breaking changes found; allowed: $changelog lists breaking changes under"
		log "  '## [$section]' / '### Breaking' (make sure these are among them)."
		return 0
	fi
	log "$what: FAIL: breaking changes found, and $changelog has no unreleased '### Breaking'"
	log "  entry. Either undo them, or record them: under '## [Unreleased]' add"
	log "  '### Breaking' with a '- ...' line per change (the next release is then a"
	log "  major one; minor while 0.x). See 'Updating the spec' in README.md."
	return 1
}
