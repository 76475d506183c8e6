#!/usr/bin/env bash
# Run the whole test suite once against the throwaway RabbitMQ and PostgreSQL (`make test`).
#
# Starts the servers with testinfra.sh, runs pytest over the testpaths in pyproject.toml with any
# arguments given here, and stops the servers again on every exit, failure or Ctrl-C included.
# Servers that were already running before (a developer's `make infra-up`) are left running.
# Exits with pytest's status; a run that collects no tests is a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
INFRA=deploy/scripts/testinfra.sh
PYTEST=${PYTEST:-.venv/bin/pytest}

if "$INFRA" status >/dev/null 2>&1; then
    echo "run-tests: test servers already running; leaving them running afterwards"
else
    trap '"$INFRA" stop || echo "run-tests: stopping the test servers failed" >&2' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
fi
"$INFRA" start
# shellcheck source=/dev/null
source var/testinfra/env

status=0
"$PYTEST" "$@" || status=$?
if [[ $status -eq 5 ]]; then
    cat >&2 <<'EOF'

########################################################################
#  FAILED: pytest collected NO tests. Nothing was verified.            #
#  Check testpaths in pyproject.toml and that the test files exist.    #
########################################################################
EOF
fi
exit "$status"
