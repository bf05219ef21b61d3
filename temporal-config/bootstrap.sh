#!/usr/bin/env bash
# Prepares a Temporal server for ClinicFlow: waits until it serves, makes sure the namespace
# exists, and registers ClinicFlow's custom search attributes. Safe to run any number of times:
# it only creates what is missing. docker-compose.yml runs it once per `up` (service
# temporal-bootstrap, in the temporalio/admin-tools image, which ships the `temporal` CLI).
#
# Environment:
#   TEMPORAL_ADDRESS    host:port of the frontend (default 127.0.0.1:7233)
#   TEMPORAL_NAMESPACE  namespace to prepare (default "default")
#   NAMESPACE_RETENTION retention of closed workflows when the namespace is created (default 72h)
#   WAIT_SECONDS        how long to wait for the server before giving up (default 180)
set -euo pipefail

ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
WAIT_SECONDS="${WAIT_SECONDS:-180}"

# Name:Type, exactly the names and types of SEARCH_ATTRIBUTES in domain/temporal.ts
# (test/compose.test.ts fails when the two lists drift apart).
SEARCH_ATTRIBUTES=(
  ClinicId:Keyword
  WorkflowKind:Keyword
  AppointmentId:Keyword
  PatientId:Keyword
  AppointmentStatus:Keyword
  ScheduledStart:Datetime
)

log() { echo "[bootstrap] $*"; }
die() { echo "[bootstrap] ERROR: $*" >&2; exit 1; }

cli() { temporal --address "$ADDRESS" "$@"; }

# Retries a command every 2 s until it succeeds or WAIT_SECONDS pass; output is kept quiet
# because failures are expected while the server (or a new namespace) is still coming up.
retry() {
  local what="$1"; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "gave up after ${WAIT_SECONDS}s waiting for ${what}"
    sleep 2
  done
}

server_serving() { cli operator cluster health 2>/dev/null | grep -q SERVING; }

# The list prints one attribute per line as "Name  Type"; match the name as a whole word so
# that e.g. "PatientId" does not match "PatientIdentifier".
has_attribute() {
  grep -Eq "(^|[[:space:]])$1([[:space:]]|\$)" <<<"$2"
}

log "waiting for Temporal at ${ADDRESS}"
retry "the Temporal server at ${ADDRESS}" server_serving

if cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  log "namespace ${NAMESPACE} exists"
else
  log "creating namespace ${NAMESPACE} (retention ${RETENTION})"
  cli operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
    --description "ClinicFlow"
fi

# A namespace just created is unknown to the frontend until its cache refreshes.
retry "namespace ${NAMESPACE} to become usable" \
  cli operator search-attribute list --namespace "$NAMESPACE"
existing="$(cli operator search-attribute list --namespace "$NAMESPACE")"

for entry in "${SEARCH_ATTRIBUTES[@]}"; do
  name="${entry%%:*}"
  type="${entry#*:}"
  if has_attribute "$name" "$existing"; then
    log "search attribute ${name} exists"
    continue
  fi
  log "creating search attribute ${name} (${type})"
  if ! cli operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"; then
    # A concurrent run may have created it between our list and create: accept that, fail otherwise.
    has_attribute "$name" "$(cli operator search-attribute list --namespace "$NAMESPACE")" ||
      die "could not create search attribute ${name}"
  fi
done

log "Temporal is ready for ClinicFlow (namespace ${NAMESPACE})"
