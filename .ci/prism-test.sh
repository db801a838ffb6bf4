#!/usr/bin/env bash
# prism-test: the generated client against Prism's mock of openapi.yaml.
#
# Starts the pinned Prism (node_modules, from package-lock.json; `make
# prism-test` installs it first) on a free loopback port, waits until it
# answers (bounded), runs the Go test behind the `prism` build tag with
# PRISM_URL set, and stops Prism by its PID on every exit, failure included.
#
#   PRISM_PORT=4010 .ci/prism-test.sh   # a fixed port instead of a free one
#   PRISM_WAIT=60                       # seconds to wait for Prism (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."

prism=node_modules/.bin/prism
if [[ ! -x $prism ]]; then
	echo "prism-test: $prism missing: run 'make node_modules/.installed' (or 'make prism-test')" >&2
	exit 1
fi

port=${PRISM_PORT:-}
if [[ -z $port ]]; then
	# Ask the kernel for a free port (node is there: Prism needs it).
	port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
url="http://127.0.0.1:$port"
log=$(mktemp "${TMPDIR:-/tmp}/prism-test.XXXXXX.log")

# Prism is started directly (not through npx), so $! is Prism itself.
"$prism" mock -h 127.0.0.1 -p "$port" openapi.yaml >"$log" 2>&1 &
pid=$!

cleanup() {
	local rc=$?
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 ]]; then
		echo "prism-test: failed (exit $rc); Prism's log ($log):" >&2
		tail -n 40 "$log" >&2 || true
	else
		rm -f "$log"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait until Prism answers any HTTP request (a 404 for / is an answer).
wait_s=${PRISM_WAIT:-60}
deadline=$((SECONDS + wait_s))
until curl -s -o /dev/null --max-time 2 "$url/"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "prism-test: Prism exited before answering" >&2
		exit 1
	fi
	if ((SECONDS >= deadline)); then
		echo "prism-test: Prism did not answer on $url within ${wait_s}s" >&2
		exit 1
	fi
	sleep 0.2
done
echo "prism-test: Prism $("$prism" --version 2>/dev/null || echo '?') on $url (pid $pid)"

PRISM_URL=$url ${GO:-go} test -race -count=1 -tags prism ./internal/prismtest/ "$@"
