#!/usr/bin/env bash
# make test-postgres: the store, web, live, auth and mail tests against a throwaway
# PostgreSQL cluster. Installs PostgreSQL from the distribution's packages
# when it is missing, runs the cluster from a temporary folder as the
# unprivileged postgres user (the current user when not root), listening on
# 127.0.0.1 only, and removes it afterwards. Extra arguments go to go test
# (for example -run TestName).
set -euo pipefail
cd "$(dirname "$0")/.."

find_bin() {
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return
	fi
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "test-postgres: installing PostgreSQL (apt-get)" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
	bin=$(find_bin)
fi

run_as=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
	run_as=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/confidant-pg.XXXXXX)
chmod 0755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
stop() {
	"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT

"${run_as[@]}" "$bin/initdb" -D "$dir/data" -U confidant --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
# A cluster for tests only: durability is not what is tested, speed is.
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 500
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
CONF

started=""
for port in $(seq 55432 55462); do
	if "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port" -l "$dir/server.log" -w -t 30 start >/dev/null 2>&1; then
		started=$port
		break
	fi
done
if [ -z "$started" ]; then
	echo "test-postgres: the cluster did not start" >&2
	cat "$dir/server.log" >&2 || true
	exit 1
fi
echo "test-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$started" >&2

export CONFIDANT_TEST_DATABASE="postgres://confidant@127.0.0.1:$started/postgres?sslmode=disable"
go test -count=1 -timeout 30m -tags postgres "$@" ./store/... ./counselling/web/... ./counselling/live/... ./counselling/auth/... ./counselling/mail/... ./scripts/multinode/...
