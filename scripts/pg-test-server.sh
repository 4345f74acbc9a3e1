#!/usr/bin/env bash
# A throw-away PostgreSQL 15 for the storage tests, on 127.0.0.1 only, with trust authentication.
#
#   scripts/pg-test-server.sh start   # starts it (or finds it running); prints only the URL on stdout
#   scripts/pg-test-server.sh url     # prints the URL
#   scripts/pg-test-server.sh stop    # stops it and removes its data directory
#
#   export NINGJU_TEST_POSTGRES_URL=$(scripts/pg-test-server.sh start)
#
# PGPORT (default 54329) picks the port; the data directory is ${TMPDIR:-/tmp}/ningju-pg-$PGPORT. The role `ningju`
# (superuser: tests create and drop schemas and terminate backends) owns the database `ningju_test`. Run as root,
# the server runs as the `postgres` system user (created when missing), since initdb and postgres refuse root.
# Logs go to stderr and to the data directory's server.log. Never use this for real data.
set -euo pipefail

PORT="${PGPORT:-54329}"
HOST=127.0.0.1
ROLE=ningju
DATABASE=ningju_test
DATA_DIR="${TMPDIR:-/tmp}/ningju-pg-${PORT}"
LOG_FILE="${DATA_DIR}/server.log"
URL="postgresql://${ROLE}@${HOST}:${PORT}/${DATABASE}"

log() { echo "pg-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

find_bin_dir() {
  local dir
  for dir in "${PG_BIN_DIR:-}" /usr/lib/postgresql/15/bin; do
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return
    fi
  done
  die "PostgreSQL 15 server binaries not found (apt-get install postgresql-15, or set PG_BIN_DIR)"
}

# Runs a command as the user that owns the server: ourselves, or `postgres` when we are root.
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_postgres_user() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  if ! id -u postgres >/dev/null 2>&1; then
    log "creating system user postgres"
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
  fi
}

is_running() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] || return 1
  as_owner "$BIN_DIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

wait_ready() {
  local i
  for i in $(seq 1 60); do
    if "$BIN_DIR/pg_isready" -h "$HOST" -p "$PORT" -q 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  return 1
}

psql_admin() {
  # Local superuser over TCP (trust); the cluster's bootstrap superuser is the owner's user name.
  as_owner "$BIN_DIR/psql" -h "$HOST" -p "$PORT" -d postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

start() {
  ensure_postgres_user
  if is_running; then
    log "already running on ${HOST}:${PORT} (data in $DATA_DIR)"
    echo "$URL"
    return
  fi
  if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
    log "initializing $DATA_DIR"
    rm -rf "$DATA_DIR"
    mkdir -p "$DATA_DIR"
    chmod 700 "$DATA_DIR"
    if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$DATA_DIR"; fi
    # trust, but only for loopback TCP and the local socket: nothing else can reach this server anyway.
    as_owner "$BIN_DIR/initdb" -D "$DATA_DIR" --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust \
      --auth-host=reject >&2
    cat > "$DATA_DIR/pg_hba.conf.ningju" <<HBA
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
host    all       all   ::1/128       trust
HBA
    if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$DATA_DIR/pg_hba.conf.ningju"; fi
    as_owner mv "$DATA_DIR/pg_hba.conf.ningju" "$DATA_DIR/pg_hba.conf"
  fi
  log "starting on ${HOST}:${PORT}"
  # fsync off and a small footprint: a test server favours speed over durability.
  as_owner "$BIN_DIR/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 \
    -o "-c listen_addresses=${HOST} -c port=${PORT} -c unix_socket_directories=${DATA_DIR} -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB" \
    start >&2 || { tail -n 30 "$LOG_FILE" >&2 || true; die "server did not start"; }
  wait_ready || die "server not ready on ${HOST}:${PORT}"
  if [[ "$(psql_admin -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'")" != "1" ]]; then
    psql_admin -c "CREATE ROLE ${ROLE} LOGIN SUPERUSER" >&2
  fi
  if [[ "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" != "1" ]]; then
    psql_admin -c "CREATE DATABASE ${DATABASE} OWNER ${ROLE} ENCODING 'UTF8' TEMPLATE template0" >&2
  fi
  log "ready"
  echo "$URL"
}

stop() {
  if [[ -f "$DATA_DIR/PG_VERSION" ]]; then
    if is_running; then
      log "stopping"
      as_owner "$BIN_DIR/pg_ctl" -D "$DATA_DIR" -m fast -w stop >&2 || true
    fi
  fi
  if [[ -d "$DATA_DIR" ]]; then
    log "removing $DATA_DIR"
    rm -rf "$DATA_DIR"
  fi
}

BIN_DIR="$(find_bin_dir)"
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
