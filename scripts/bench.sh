#!/usr/bin/env bash
# `npm run bench`: the performance benchmarks (scripts/bench/), on servers they start themselves.
# Quick run: BENCH_SECONDS=10 BENCH_BASELINE_WORKFLOWS=200 npm run bench   (settings: scripts/bench/settings.ts)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/tools/ensure-tools.sh temporal-cli
exec node --import tsx scripts/bench/run.ts "$@"
