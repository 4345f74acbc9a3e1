#!/usr/bin/env bash
# Durability under a crash: start `ningju serve` on a temporary SQLite database (small demo), run CLIENTS concurrent
# intake loops over HTTP (anonymous web reports through POST /api/v1/cases, marked public so that they can be read
# back anonymously), SIGKILL the server after RUN_SECONDS, restart it on the same database, and check that every case
# whose POST was answered 201 is there with its id and title. Cases committed but not answered before the kill may
# also be there (the client never learned of them); nothing acknowledged may be missing.
#
#   tests/cases/sigkill_test.sh build/src/cli/ningju        (CLIENTS=8 RUN_SECONDS=4 ROUNDS=2 by default)
set -euo pipefail

BIN=${1:?usage: sigkill_test.sh path/to/ningju}
CLIENTS=${CLIENTS:-8}
RUN_SECONDS=${RUN_SECONDS:-4}
ROUNDS=${ROUNDS:-2}
DIR=$(mktemp -d "/tmp/ningju-sigkill.$$.XXXXXX")
DB="sqlite:$DIR/ningju.db"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -9 "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT

"$BIN" demo --database "$DB" --scale small --seed 3 --password-cost test >/dev/null

PORT=""
start_server() {
  local port_arg=${1:-0}
  # The anonymous intake limits are off: this test posts thousands of anonymous cases from one address and phone.
  "$BIN" serve --database "$DB" --port "$port_arg" --password-cost test --no-access-log --job-poll-seconds 0 \
    --intake-per-address-hour 0 --intake-per-address-day 0 --intake-per-phone-hour 0 --intake-per-phone-day 0 \
    >"$DIR/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if [ -z "$PORT" ] || [ "$port_arg" = 0 ]; then
      PORT=$(grep -ao 'on http://[0-9.]*:[0-9]*' "$DIR/server.log" 2>/dev/null | head -1 | sed 's/.*://' || true)
    fi
    if [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  echo "server did not start:" >&2
  cat "$DIR/server.log" >&2
  exit 1
}

start_server 0
BUILDING=$(curl -sf "http://127.0.0.1:$PORT/api/v1/areas?kind=building&limit=1" | jq -r '.items[0].id')

client() {
  local c=$1 round=$2 n=0 code title
  while [ ! -e "$DIR/stop" ]; do
    n=$((n + 1))
    title="sigkill-r$round-c$c-$n"
    code=$(curl -s -o "$DIR/body.$c" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
      --data "{\"type\":\"complaint\",\"category\":\"sanitation\",\"title\":\"$title\",\"description\":\"crash test\",\"area_id\":$BUILDING,\"channel\":\"web\",\"contact_phone\":\"13900001111\",\"public\":true}" \
      "http://127.0.0.1:$PORT/api/v1/cases") || break
    if [ "$code" = 201 ]; then
      mv "$DIR/body.$c" "$DIR/acked/$title.json"  # read after the round: one jq for all, to keep the loop fast
    else
      echo "$code" >>"$DIR/refused"
    fi
  done
}

# Every stored case titled sigkill-*: "id title" lines, read through the public list.
stored() {
  local cursor="" page
  while :; do
    page=$(curl -sf "http://127.0.0.1:$PORT/api/v1/cases?public=1&limit=200${cursor:+&cursor=$cursor}")
    echo "$page" | jq -r '.items[] | select(.title | startswith("sigkill-")) | "\(.id) \(.title)"'
    cursor=$(echo "$page" | jq -r '.next_cursor // empty')
    [ -n "$cursor" ] || break
  done
}

mkdir -p "$DIR/acked"
touch "$DIR/refused"
for round in $(seq 1 "$ROUNDS"); do
  rm -f "$DIR/stop"
  pids=()
  for c in $(seq 1 "$CLIENTS"); do
    client "$c" "$round" &
    pids+=($!)
  done
  sleep "$RUN_SECONDS"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  touch "$DIR/stop"
  for p in "${pids[@]}"; do wait "$p" || true; done
  start_server "$PORT"

  stored | sort >"$DIR/stored"
  find "$DIR/acked" -name '*.json' -print0 | xargs -0 -r cat | jq -r '"\(.id) \(.title)"' | sort >"$DIR/acked.sorted"
  missing=$(comm -23 "$DIR/acked.sorted" "$DIR/stored" | wc -l)
  extra=$(comm -13 "$DIR/acked.sorted" "$DIR/stored" | wc -l)
  echo "round $round: acknowledged $(wc -l <"$DIR/acked.sorted"), stored $(wc -l <"$DIR/stored"), acknowledged but missing $missing, stored but never acknowledged $extra, refused $(wc -l <"$DIR/refused")"
  if [ "$missing" -ne 0 ]; then
    echo "FAIL: acknowledged cases lost or changed after SIGKILL:" >&2
    comm -23 "$DIR/acked.sorted" "$DIR/stored" | head -20 >&2
    exit 1
  fi
  if grep -qx 429 "$DIR/refused"; then
    echo "FAIL: intakes were refused with 429: a limit interfered with the crash test" >&2
    exit 1
  fi
  if [ "$(wc -l <"$DIR/acked.sorted")" -eq 0 ]; then
    echo "FAIL: no intake was acknowledged; the test proved nothing" >&2
    exit 1
  fi
done
kill -9 "$SERVER_PID" 2>/dev/null || true
echo "PASS: every acknowledged case survived $ROUNDS SIGKILLs"
