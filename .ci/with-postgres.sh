#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: installs Debian's
# postgresql package when initdb is missing (as root, with apt-get), runs
# initdb in a temporary directory as a non-root user (postgres when run as
# root), starts the server on a free loopback port with its socket in that
# directory, exports its URL as POSTPRESS_PG_URL, runs "$@", and stops the
# server and removes the directory at the end, also on failure or Ctrl-C.
#
#   .ci/with-postgres.sh go test ./invsync/pgstore/
#
# POSTPRESS_SKIP_PG=1 skips all of it (the command runs, and the tests that
# need the server skip, saying so).
set -euo pipefail

if [ "${POSTPRESS_SKIP_PG:-}" = 1 ]; then
	echo "with-postgres: POSTPRESS_SKIP_PG=1: no PostgreSQL started; its tests skip" >&2
	exec "$@"
fi

find_bin() {
	local d
	if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
}

bin=$(find_bin)
if [ -z "$bin" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "with-postgres: initdb not found and not root: install PostgreSQL (apt-get install postgresql) or set POSTPRESS_SKIP_PG=1" >&2
		exit 1
	fi
	echo "with-postgres: installing PostgreSQL (apt-get install postgresql)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends postgresql >&2
	bin=$(find_bin)
	[ -n "$bin" ] || { echo "with-postgres: initdb still not found after installing postgresql" >&2; exit 1; }
fi

# Under /tmp (not $TMPDIR, which may sit in a directory user postgres
# cannot enter).
dir=$(mktemp -d /tmp/postpress-pg.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
	chown postgres "$dir"
	as=(runuser -u postgres --)
fi
chmod 700 "$dir"

stop() {
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + RANDOM % 20000)))

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
# fsync off: a throwaway cluster; nothing in it outlives the run.
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
	{ cat "$dir/server.log" >&2; exit 1; }

export POSTPRESS_PG_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
# A test that restarts its server starts a cluster of its own (initdb is
# there now): this one may be shared by several test binaries at once.
export POSTPRESS_PG_BIN="$bin"
echo "with-postgres: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
