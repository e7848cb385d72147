#!/usr/bin/env bash
# make test-postgres: the store, command, web, live, auth and mail tests against a throwaway
# PostgreSQL cluster (scripts/pgcluster.sh: installed with apt-get when
# missing, run from a temporary folder as an unprivileged user, listening on
# 127.0.0.1 only, removed afterwards). Extra arguments go to go test (for
# example -run TestName).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgcluster.sh

# A cluster for tests only: durability is not what is tested, speed is.
pg_cluster_start "fsync = off" "synchronous_commit = off" "full_page_writes = off" "autovacuum = off"

export CONFIDANT_TEST_DATABASE="$PG_URL"
go test -count=1 -timeout 30m -tags postgres "$@" ./store/... ./cmd/confidant/... ./counselling/web/... ./counselling/live/... ./counselling/auth/... ./counselling/mail/... ./scripts/multinode/...
