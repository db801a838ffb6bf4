# shellcheck shell=bash
# Sourced by the scripts of the compatibility checks (spec-diff.sh,
# api-diff.sh, release-snapshot.sh, test-spec-evolution.sh). They run the
# pinned tools; the rules are in internal/cmd/apicheck.

# Pinned dev tools: the only place their versions are written. They stay out
# of go.mod and are built once per version (see tool below).
: "${OASDIFF:=github.com/oasdiff/oasdiff@v1.37.0}"
: "${APIDIFF:=golang.org/x/exp/cmd/apidiff@v0.0.0-20261113113407-e3970619a1a4}"
export GOWORK=off

log() { printf '%s\n' "$*" >&2; }

evolution_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# tool PKG@VERSION prints the path of that tool's binary, installing it first
# with `go install` into .cache/tools/<PKG@VERSION>/ (gitignored).
tool() {
	local spec="$1" name dir
	name="${spec%@*}"
	name="${name##*/}"
	dir="$evolution_root/.cache/tools/${spec//\//_}"
	if [[ ! -x "$dir/$name" ]]; then
		log "installing $spec into ${dir#"$evolution_root"/}"
		GOBIN="$dir" go install "$spec" >&2
	fi
	printf '%s\n' "$dir/$name"
}

# apicheck ARGS...: the rules (go doc ./internal/cmd/apicheck), built from
# this tree once per script run.
apicheck() {
	local bin="$evolution_root/.cache/bin/apicheck"
	if [[ -z "${apicheck_built:-}" ]]; then
		(cd "$evolution_root" && go build -o "$bin" ./internal/cmd/apicheck) || return 2
		apicheck_built=1
	fi
	"$bin" "$@"
}

# export_api DIR OUT: apidiff's export data of the module in DIR.
export_api() {
	local apidiff
	apidiff="$(tool "$APIDIFF")"
	(cd "$1" && "$apidiff" -m -w "$2" "$(go list -m)")
}
