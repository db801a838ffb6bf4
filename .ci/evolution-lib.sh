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

# diff_sides LABEL OLD_REL NEW_REL USAGE ARGS...: sets old and new, the two
# sides a diff script compares: ARGS when they are two; with none, OLD_REL in
# the newest release snapshot (or BASE) against NEW_REL in the working tree
# (empty: the module root), said on stdout under LABEL. Any other ARGS: the
# usage line (the script's name, then USAGE) and exit 2.
diff_sides() {
	local label="$1" old_rel="$2" new_rel="$3" usage="$4" base
	shift 4
	if [[ $# -eq 2 ]]; then
		old="$1" new="$2"
	elif [[ $# -eq 0 ]]; then
		base="$(apicheck baseline -root "$evolution_root" ${BASE:+-base "$BASE"})"
		old="$evolution_root/$base/$old_rel" new="$evolution_root${new_rel:+/$new_rel}"
		echo "$label: ${new_rel:-the module} against $base/$old_rel"
	else
		log "usage: $0 $usage"
		exit 2
	fi
}

# export_api DIR OUT: apidiff's export data of the module in DIR.
export_api() {
	local apidiff
	apidiff="$(tool "$APIDIFF")"
	(cd "$1" && "$apidiff" -m -w "$2" "$(go list -m)")
}
