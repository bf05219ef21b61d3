#!/usr/bin/env bash
# `npm run faults`: the fault suite (scripts/faults/) at full size, on servers it starts itself.
# One case: FAULT_CASES=worker npm run faults   |   the small sizes of `npm test`: FAULT_SIZE=fast npm run faults
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/tools/ensure-tools.sh temporal-cli
exec node --import tsx scripts/faults/run.ts "$@"
