#!/usr/bin/env bash
# Installs what ClinicFlow needs, once; every later run only checks. Sourced by scripts/start.sh
# and scripts/test.sh. Arguments name the optional tools wanted: temporal-cli, test-server, stripe-mock,
# schemathesis (with moto's server in the same virtual environment).
# Tools are cached outside the clone (CLINICFLOW_CACHE_DIR) so fresh clones reuse them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${CLINICFLOW_CACHE_DIR:-$HOME/.cache/clinicflow}"
TEMPORAL_CLI_VERSION="v1.5.1"        # newest CLI tag installable with `go install` (see ENVIRONMENT.md)
TEST_SERVER_VERSION="1.31.0"         # io.temporal:temporal-test-server on Maven Central
STRIPE_MOCK_VERSION="v0.203.0"       # Stripe's API mock; speaks API 2026-08-26.dahlia, as stripe@22.6.2 does
SCHEMATHESIS_VERSION="4.32.5"        # the API fuzzer (PyPI), run against the OpenAPI document by test/schemathesis-*.test.ts
MOTO_VERSION="5.2.5"                 # moto[server] (PyPI): the local S3 peer of the file-storage tests, in the same venv

log() { printf '\033[2m[setup]\033[0m %s\n' "$*"; }

ensure_node_modules() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [[ ! -f "$stamp" || "$ROOT/package-lock.json" -nt "$stamp" ]]; then
    log "installing npm packages from package-lock.json"
    # Not `npm ci`: the registries we build from lack some other platforms' optional builds
    # (e.g. @swc/core for macOS), so the lock cannot list them and npm ci refuses it as
    # incomplete. `npm install` installs exactly the locked versions and leaves the lock as is.
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

ensure_prisma_client() {
  local generated="$ROOT/prisma/generated/client.ts"
  if [[ ! -f "$generated" || "$ROOT/prisma/schema.prisma" -nt "$generated" || "$ROOT/package-lock.json" -nt "$generated" ]]; then
    log "generating the Prisma client"
    # `prisma generate` needs no schema engine, but looks for one: any existing file stops the download attempt.
    mkdir -p "$CACHE_DIR"
    touch "$CACHE_DIR/no-schema-engine"
    (cd "$ROOT" && PRISMA_SCHEMA_ENGINE_BINARY="$CACHE_DIR/no-schema-engine" npx --no-install prisma generate --schema prisma/schema.prisma >/dev/null)
  fi
}

# go_install <target file> <package@version> <binary name> <what, for the log>: builds once into the cache.
go_install() {
  local target="$1" package="$2" binary="$3" what="$4"
  [[ -x "$target" ]] && return 0
  command -v go >/dev/null || { echo "Go is needed once to build $what" >&2; exit 1; }
  log "building $what"
  local gobin
  gobin="$(mktemp -d)"
  GOBIN="$gobin" GOFLAGS=-mod=mod go install "$package"
  mkdir -p "$(dirname "$target")"
  mv "$gobin/$binary" "$target"
  rm -rf "$gobin"
}

ensure_temporal_cli() {
  TEMPORAL_CLI="$CACHE_DIR/bin/temporal-$TEMPORAL_CLI_VERSION"
  go_install "$TEMPORAL_CLI" "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" temporal "the Temporal CLI $TEMPORAL_CLI_VERSION (once; a few minutes)"
  export TEMPORAL_CLI
}

ensure_test_server() {
  local jars="$CACHE_DIR/temporal-test-server-$TEST_SERVER_VERSION"
  if [[ ! -f "$jars/temporal-test-server-$TEST_SERVER_VERSION.jar" ]]; then
    command -v mvn >/dev/null || { echo "Maven is needed once to fetch the Temporal test server" >&2; exit 1; }
    log "fetching the Temporal time-skipping test server $TEST_SERVER_VERSION (once)"
    mvn -q -B -f "$ROOT/scripts/tools/temporal-test-server.pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$jars" -Dtemporal.test-server.version="$TEST_SERVER_VERSION"
  fi
  # The TS SDK starts this executable with the port as its argument.
  TEMPORAL_TEST_SERVER_PATH="$CACHE_DIR/temporal-test-server-$TEST_SERVER_VERSION.sh"
  printf '#!/usr/bin/env bash\nexec java -cp "%s/*" io.temporal.testserver.TestServer "$@"\n' "$jars" >"$TEMPORAL_TEST_SERVER_PATH"
  chmod +x "$TEMPORAL_TEST_SERVER_PATH"
  export TEMPORAL_TEST_SERVER_PATH
}

ensure_stripe_mock() {
  STRIPE_MOCK_PATH="$CACHE_DIR/bin/stripe-mock-$STRIPE_MOCK_VERSION"
  go_install "$STRIPE_MOCK_PATH" "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" stripe-mock "stripe-mock $STRIPE_MOCK_VERSION (once; under a minute)"
  export STRIPE_MOCK_PATH
}

# One virtual environment for the Python tools the tests use: Schemathesis and moto's server.
ensure_schemathesis() {
  local venv="$CACHE_DIR/python-tools-schemathesis-$SCHEMATHESIS_VERSION-moto-$MOTO_VERSION"
  SCHEMATHESIS_PATH="$venv/bin/schemathesis"
  MOTO_SERVER_PATH="$venv/bin/moto_server"
  # The stamp is written last: an interrupted install is redone instead of taken for a finished one
  # (a venv cannot be built elsewhere and moved: its scripts name their interpreter's absolute path).
  if [[ ! -f "$venv/.installed" ]]; then
    command -v python3 >/dev/null || { echo "Python 3 is needed once to install Schemathesis" >&2; exit 1; }
    log "installing Schemathesis $SCHEMATHESIS_VERSION and moto $MOTO_VERSION into a virtual environment (once; a minute or two)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" "moto[server]==$MOTO_VERSION"
    touch "$venv/.installed"
  fi
  export SCHEMATHESIS_PATH MOTO_SERVER_PATH
}

ensure_node_modules
ensure_prisma_client
for tool in "$@"; do
  case "$tool" in
    temporal-cli) ensure_temporal_cli ;;
    test-server) ensure_test_server ;;
    stripe-mock) ensure_stripe_mock ;;
    schemathesis) ensure_schemathesis ;;
    *) echo "unknown tool: $tool" >&2; exit 2 ;;
  esac
done
