#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks types and lint, then runs every test
# against real PostgreSQL and Temporal servers that it starts and stops itself.
# Usage: bash scripts/test.sh [test files…]    |    bash scripts/test.sh --record [history names…]  (re-record replay histories)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/tools/ensure-tools.sh temporal-cli test-server stripe-mock schemathesis

if [[ "${1:-}" == "--record" ]]; then
  shift
  exec node --import tsx test/fixtures/record-histories.ts "$@"
fi

if [[ $# -eq 0 ]]; then
  echo "[test] type check"
  npx --no-install tsc --noEmit -p tsconfig.json
  echo "[test] lint"
  npx --no-install eslint . --max-warnings 0
fi
exec node --import tsx scripts/run-tests.ts "$@"
