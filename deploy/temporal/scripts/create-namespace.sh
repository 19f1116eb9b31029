#!/bin/sh
# One-shot namespace job of docker-compose.temporal.yml, run inside temporalio/admin-tools (Alpine: POSIX sh).
#
# Waits until the Temporal frontend reports SERVING, creates the namespace when it is missing and
# registers this project's custom search attributes on it. Idempotent: an existing namespace or an
# attribute that already exists with the same type is fine; an attribute that exists with a different
# type fails the job (the workflows would misbehave against it).
#
# TEMPORAL_SEARCH_ATTRIBUTES is a space-separated list of Name:Type pairs (types as the temporal CLI
# spells them: Keyword, Text, Int, Double, Bool, Datetime, KeywordList).
set -eu

: "${TEMPORAL_ADDRESS:=temporal:7233}"
: "${TEMPORAL_NAMESPACE:=default}"
: "${TEMPORAL_NAMESPACE_RETENTION:=72h}"
: "${TEMPORAL_SEARCH_ATTRIBUTES:=}"
: "${WAIT_ATTEMPTS:=60}"
: "${TEMPORAL_CLI:=temporal}"

host=${TEMPORAL_ADDRESS%:*}
port=${TEMPORAL_ADDRESS##*:}
# Talk to an IPv4 address when the name has one: the CLI's resolver may otherwise pick an unreachable
# IPv6 address inside a compose network. Falls back to the name as given.
ipv4=$(getent ahosts "$host" 2>/dev/null | awk '$1 ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ { print $1; exit }' || true)
address=${ipv4:+$ipv4:$port}
address=${address:-$TEMPORAL_ADDRESS}
ns=$TEMPORAL_NAMESPACE

cli() {
  "$TEMPORAL_CLI" "$@" --address "$address"
}

fail() {
  echo "$*" >&2
  exit 1
}

echo "Waiting for Temporal at $TEMPORAL_ADDRESS ($address) to report SERVING..."
attempt=0
until cli operator cluster health >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  [ "$attempt" -lt "$WAIT_ATTEMPTS" ] || fail "Temporal did not become healthy after $WAIT_ATTEMPTS attempts"
  sleep 2
done
echo 'Temporal is serving'

if cli operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  echo "Namespace '$ns' already exists"
elif cli operator namespace create --namespace "$ns" --retention "$TEMPORAL_NAMESPACE_RETENTION"; then
  echo "Namespace '$ns' created (retention $TEMPORAL_NAMESPACE_RETENTION)"
else
  # Lost a race with another creator? Then it exists now; otherwise give up.
  cli operator namespace describe --namespace "$ns" >/dev/null 2>&1 || fail "Could not create namespace '$ns'"
  echo "Namespace '$ns' already exists"
fi

# Prints 0 when NAME is registered with TYPE, 1 when it is absent, 2 when it has another type.
attribute_state() {
  cli operator search-attribute list --namespace "$ns" | awk -v name="$1" -v type="$2" '
    $1 == name { found = 1; if ($2 == type) same = 1 }
    END { print (same ? 0 : (found ? 2 : 1)) }'
}

for pair in $TEMPORAL_SEARCH_ATTRIBUTES; do
  name=${pair%%:*}
  type=${pair#*:}
  [ -n "$name" ] && [ -n "$type" ] && [ "$name" != "$pair" ] || fail "Bad search attribute entry '$pair' (want Name:Type)"
  # A just-created namespace takes a few seconds to reach every frontend cache, hence the retries.
  attempt=0
  while :; do
    if cli operator search-attribute create --namespace "$ns" --name "$name" --type "$type" >/dev/null 2>&1; then
      [ "$(attribute_state "$name" "$type")" = 0 ] && break
    fi
    state=$(attribute_state "$name" "$type" 2>/dev/null || echo 1)
    [ "$state" = 0 ] && break
    [ "$state" = 2 ] && fail "Search attribute $name exists in namespace '$ns' with a type other than $type"
    attempt=$((attempt + 1))
    [ "$attempt" -lt "$WAIT_ATTEMPTS" ] || fail "Could not register search attribute $name ($type)"
    sleep 2
  done
  echo "Search attribute $name ($type) registered in namespace '$ns'"
done

echo 'Namespace setup complete'
