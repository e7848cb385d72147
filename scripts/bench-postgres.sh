#!/usr/bin/env bash
# make bench-postgres: Confidant's replies per second with 1, 2 and 3 nodes on
# one PostgreSQL, against that PostgreSQL's own insert ceiling (pgbench), and
# live delivery across nodes (scripts/benchpg). The cluster is a throwaway
# one (scripts/pgcluster.sh) with PostgreSQL's durable defaults (fsync,
# synchronous_commit and full_page_writes on), as an office would run it.
# Extra arguments go to the driver (for example -quick).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgcluster.sh

pg_cluster_start
go run ./scripts/benchpg -database "$PG_URL" -pgbench "$PG_BIN/pgbench" \
	-postmaster-pid "$(head -n 1 "$PG_DIR/data/postmaster.pid")" -pglog "$PG_DIR/server.log" "$@"
