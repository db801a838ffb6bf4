#!/usr/bin/env bash
# Contract test of the generated client against Stoplight Prism (pinned in
# package-lock.json) mocking openapi.yaml on 127.0.0.1. Starts Prism, waits
# for it (bounded), runs the tagged Go tests, and stops Prism by PID, also
# on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PRISM_PORT:-4010}"
log="$(mktemp)"
node_modules/.bin/prism mock --host 127.0.0.1 --port "$port" --errors false openapi.yaml >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

for _ in $(seq 1 150); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "prism exited early:" >&2; cat "$log" >&2; exit 1
  fi
  if curl -s -o /dev/null "http://127.0.0.1:$port/users/invite/received"; then
    break
  fi
  sleep 0.2
done
curl -s -o /dev/null "http://127.0.0.1:$port/users/invite/received" || { echo "prism did not start in 30 s" >&2; cat "$log" >&2; exit 1; }

echo "prism $(node_modules/.bin/prism --version) mocking openapi.yaml at http://127.0.0.1:$port (pid $pid)"
PRISM_URL="http://127.0.0.1:$port" go test -count=1 -tags prism -v ./internal/prismtest
