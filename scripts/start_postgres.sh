#!/usr/bin/env bash
# Start (or stop) a throw-away local Postgres for the test suite.
# Installs PostgreSQL with apt when no server binaries are found (CI and fresh machines).
# Listens on 127.0.0.1:$PGPORT, trust auth, database analytics_test.
set -euo pipefail
PGDATA=${PGDATA:-$PWD/.pgdata}
PGPORT=${PGPORT:-55432}

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

PGBIN=$(find_bin || true)
if [ -z "$PGBIN" ]; then
  echo "PostgreSQL not found: installing it with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(find_bin)
fi

# initdb and postgres refuse to run as root: use the postgres system user when we are root
as_pg() {
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

if [ "${1:-start}" = "stop" ]; then
  [ -d "$PGDATA" ] && as_pg "'$PGBIN/pg_ctl' -D '$PGDATA' -m fast stop" || true
  exit 0
fi

if as_pg "'$PGBIN/pg_ctl' -D '$PGDATA' status" >/dev/null 2>&1; then
  echo "Postgres already running on port $PGPORT"
elif "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q; then
  # another cluster (e.g. one started from another checkout) answers there: use it
  echo "a Postgres already answers on 127.0.0.1:$PGPORT: using it"
else
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" = "0" ] && chown postgres "$PGDATA"
    as_pg "'$PGBIN/initdb' -D '$PGDATA' -U postgres --auth=trust -E UTF8 >/dev/null"
  fi
  as_pg "'$PGBIN/pg_ctl' -D '$PGDATA' -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' -l '$PGDATA/server.log' -w start >/dev/null"
  echo "Postgres started on 127.0.0.1:$PGPORT"
fi
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc \
  "select 1 from pg_database where datname='analytics_test'" | grep -q 1 || \
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "create database analytics_test"
