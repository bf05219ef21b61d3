#!/usr/bin/env bash
# `npm start`: installs what is missing (npm packages, the Prisma client and, unless
# TEMPORAL_ADDRESS points at a Temporal server of your own, the Temporal CLI; unless
# STRIPE_SECRET_KEY is set, stripe-mock), then starts
# the whole of ClinicFlow on this machine (scripts/stack/start.ts). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

env_file="${CLINICFLOW_ENV_FILE:-.env}"

# TEMPORAL_ADDRESS from the shell or, like the launcher reads it, from the env file.
temporal_address_configured() {
  [[ -n "${TEMPORAL_ADDRESS:-}" ]] && return 0
  [[ -f "$env_file" ]] && grep -Eq '^[[:space:]]*(export[[:space:]]+)?TEMPORAL_ADDRESS=[^[:space:]#]' "$env_file"
}

# STRIPE_SECRET_KEY likewise: without one, the launcher runs stripe-mock in Stripe's place.
stripe_key_configured() {
  [[ -n "${STRIPE_SECRET_KEY:-}" ]] && return 0
  [[ -f "$env_file" ]] && grep -Eq '^[[:space:]]*(export[[:space:]]+)?STRIPE_SECRET_KEY=[^[:space:]#]' "$env_file"
}

args=("$@")
# `source` without arguments would hand this script's own arguments to ensure-tools.sh.
tools=()
temporal_address_configured || tools+=(temporal-cli)
stripe_key_configured || tools+=(stripe-mock)
set -- "${tools[@]}"
source scripts/tools/ensure-tools.sh "$@"

# node directly (not npx tsx): a signal sent to this process reaches the launcher itself.
exec node --import tsx scripts/stack/start.ts "${args[@]}"
