# Sourced by test-postgres.sh and bench-postgres.sh: a throwaway PostgreSQL
# cluster in a temporary folder. pg_cluster_start installs PostgreSQL from
# the distribution's packages when it is missing, runs the cluster as the
# unprivileged postgres user (the current user when not root), listening on
# 127.0.0.1 only, and sets PG_BIN (its programs), PG_DIR (its folder) and
# PG_URL (a postgres:// URL of its database "postgres" for the superuser
# "confidant"); the cluster stops and its folder goes when the shell exits.
# Extra arguments are lines for postgresql.conf.

pg_find_bin() {
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v initdb)")"
		return
	fi
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_cluster_start() {
	PG_BIN=$(pg_find_bin)
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		echo "pgcluster: installing PostgreSQL (apt-get)" >&2
		local sudo=""
		[ "$(id -u)" = 0 ] || sudo=sudo
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
		PG_BIN=$(pg_find_bin)
	fi

	PG_RUN_AS=()
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
		PG_RUN_AS=(runuser -u postgres --)
	fi

	PG_DIR=$(mktemp -d /tmp/confidant-pg.XXXXXX)
	chmod 0755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	trap pg_cluster_stop EXIT

	"${PG_RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U confidant --auth=trust --no-locale -E UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$PG_DIR'"
		echo "max_connections = 500"
		echo "shared_buffers = 128MB"
		local line
		for line in "$@"; do echo "$line"; done
	} >>"$PG_DIR/data/postgresql.conf"

	local port started=""
	for port in $(seq 55432 55462); do
		if "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -o "-p $port" -l "$PG_DIR/server.log" -w -t 30 start >/dev/null 2>&1; then
			started=$port
			break
		fi
	done
	if [ -z "$started" ]; then
		echo "pgcluster: the cluster did not start" >&2
		cat "$PG_DIR/server.log" >&2 || true
		return 1
	fi
	PG_URL="postgres://confidant@127.0.0.1:$started/postgres?sslmode=disable"
	echo "pgcluster: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$started" >&2
}

pg_cluster_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	"${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
}
