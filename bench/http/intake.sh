#!/usr/bin/env bash
# Durable case intake over HTTP: wrk POSTs new cases to /api/v1/cases (as an API client with a token) against a
# ningju server on a fresh SQLite copy of the small demo district, synchronous=FULL as always. Two server settings,
# interleaved in rounds so that the shared machine's noise falls on both:
#   baseline  --blocking-threads 0: the intake handler waits for its commit on a worker (one per core), so at most
#             that many intakes can share a group commit;
#   default   the intake routes run on the pool of blocking threads (64), so many intakes wait for one commit.
# Every round checks that every 201 answer is a stored case (acknowledged = committed): the cases stored grew by at
# least the number of 201s, and by at most that plus one request in flight per connection when wrk stopped.
#
#   bench/http/intake.sh PATH/TO/ningju
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (64), THREADS (2), PORT (18091).
set -euo pipefail
NJ=$(realpath "$1")
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18091}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "intake.sh: wrk is not installed" >&2; exit 1; }

DIR=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
DB="sqlite:$DIR/intake.db"
"$NJ" demo --database "$DB" --scale small --seed 3 >/dev/null
NINGJU_TOKEN=$("$NJ" user token resident1 --name "intake bench" --database "$DB")
NINGJU_BUILDING=$(sqlite3 "$DIR/intake.db" "SELECT id FROM areas WHERE kind = 'building' ORDER BY id LIMIT 1")
export NINGJU_TOKEN NINGJU_BUILDING

cases() { sqlite3 "$DIR/intake.db" "SELECT COUNT(*) FROM cases"; }

start() {
  "$NJ" serve --database "$DB" --port "$PORT" --blocking-threads "$1" >"$DIR/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "intake.sh: the server did not start" >&2; cat "$DIR/server.log" >&2; exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" || true; SERVER=; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $CONNECTIONS connections, $DURATION per run"
printf "%-6s %-9s %10s %10s %10s %s\n" round setting "intakes/s" p50 p99 statuses
declare -A SUM
for round in $(seq 1 "$ROUNDS"); do
  for setting in baseline default; do
    threads=64; [ "$setting" = baseline ] && threads=0
    start "$threads"
    before=$(cases)
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/intake.lua" \
          "http://127.0.0.1:$PORT/api/v1/cases")
    stop
    after=$(cases)
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    statuses=$(grep '^statuses' <<<"$out" | cut -d' ' -f2-)
    created=$(sed -nE 's/.*201=([0-9]+).*/\1/p' <<<"$statuses")
    # wrk stops with up to one request in flight per connection: committed, never counted.
    stored=$((after - before))
    if [ "$stored" -lt "${created:-0}" ] || [ "$stored" -gt "$((${created:-0} + CONNECTIONS))" ]; then
      echo "intake.sh: $stored cases stored but ${created:-0} answered 201 ($CONNECTIONS connections)" >&2; exit 1
    fi
    printf "%-6s %-9s %10s %10s %10s %s\n" "$round" "$setting" "$rps" "$p50" "$p99" "$statuses"
    SUM[$setting]=$(awk -v a="${SUM[$setting]:-0}" -v b="$rps" 'BEGIN {print a + b}')
  done
done
awk -v b="${SUM[baseline]}" -v d="${SUM[default]}" -v n="$ROUNDS" \
  'BEGIN {printf "mean: baseline %.0f/s, default %.0f/s, ratio %.2fx\n", b / n, d / n, d / b}'
