#!/bin/sh
# One-shot schema job of docker-compose.temporal.yml, run inside temporalio/admin-tools (Alpine: POSIX sh).
#
# Creates the `temporal` (persistence) and `temporal_visibility` (SQL visibility) databases when they
# are missing and migrates both to the schema version shipped with this admin-tools image. Every step is
# idempotent, so the job runs on each `docker compose up` and upgrades the schema after an image bump
# (bump TEMPORAL_ADMINTOOLS_VERSION together with TEMPORAL_VERSION).
#
# temporal-sql-tool reads the password from SQL_PASSWORD; it is never put on the command line.
set -eu

: "${SQL_PLUGIN:=postgres12}"
: "${SQL_HOST:=postgresql}"
: "${SQL_PORT:=5432}"
: "${SQL_USER:?SQL_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set}"
: "${TEMPORAL_DB:=temporal}"
: "${TEMPORAL_VISIBILITY_DB:=temporal_visibility}"
: "${WAIT_ATTEMPTS:=60}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin "$SQL_PLUGIN" --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"
}

# depends_on waits for the pg_isready healthcheck; this loop only covers a restart race.
attempt=0
until nc -z -w 5 "$SQL_HOST" "$SQL_PORT"; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge "$WAIT_ATTEMPTS" ]; then
    echo "PostgreSQL at $SQL_HOST:$SQL_PORT is not reachable after $WAIT_ATTEMPTS attempts" >&2
    exit 1
  fi
  echo "Waiting for PostgreSQL at $SQL_HOST:$SQL_PORT ($attempt/$WAIT_ATTEMPTS)..."
  sleep 2
done

migrate() {
  db=$1
  versioned_dir=$2
  echo "Database '$db': create if missing"
  # The postgres image already creates a database named after POSTGRES_USER, and re-runs find both
  # databases present; a genuinely missing or unreachable database still fails setup-schema below.
  if ! sql_tool --db "$db" create; then
    echo "Database '$db': create reported an error; assuming it already exists"
  fi
  echo "Database '$db': setup-schema (no-op when already versioned)"
  sql_tool --db "$db" setup-schema -v 0.0
  echo "Database '$db': update-schema from $versioned_dir"
  sql_tool --db "$db" update-schema -d "$versioned_dir"
}

migrate "$TEMPORAL_DB" "$SCHEMA_ROOT/temporal/versioned"
migrate "$TEMPORAL_VISIBILITY_DB" "$SCHEMA_ROOT/visibility/versioned"

echo 'PostgreSQL schema setup complete'
