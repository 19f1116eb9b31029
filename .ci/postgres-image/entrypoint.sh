#!/bin/sh
# Entrypoint of the test PostgreSQL image built from Debian's packages (build.sh beside this file). It honours
# the part of the official postgres image's interface that the tests use, so either image runs the same
# container: POSTGRES_PASSWORD (required), POSTGRES_USER and POSTGRES_DB, and a command of `postgres`
# followed by server options, run as the postgres user on a data directory initialised at first start.
set -eu

case "${1:-}" in -*) set -- postgres "$@" ;; esac
[ "${1:-}" = postgres ] || exec "$@"
shift

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?is required, as in the official image}"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  # Throw-away test data: no fsync, as the container lives for one test file.
  as_postgres initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-sync >/dev/null
  rm -f "$pwfile"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\"" | as_postgres postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups postgres "$@"
