#!/usr/bin/env bash
# Runs the browser tests against a throw-away demo server:
#
#   bash tests/e2e/run.sh path/to/ningju
#
# Installs the npm packages (npm ci) when they are missing or older than package-lock.json, creates a small demo
# district in a temporary SQLite database, starts a test mail server (aiosmtpd) and serves the demo on a free loopback
# port sending its email there, runs tests/e2e/e2e.mjs against it and
# stops the server. The last line of a run that got as far as the tests is "e2e: N passed, M failed"; the exit
# status is non-zero on any failure. Uses Debian's chromium (NINGJU_CHROMIUM overrides /usr/bin/chromium); no
# browser is downloaded.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 NINGJU_BINARY" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BINARY=$1
case "$BINARY" in /*) ;; *) BINARY="$PWD/$BINARY" ;; esac
if [ ! -x "$BINARY" ]; then
  echo "e2e: no executable ningju at $BINARY" >&2
  exit 1
fi
export NINGJU_CHROMIUM=${NINGJU_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$NINGJU_CHROMIUM" ]; then
  echo "e2e: no chromium at $NINGJU_CHROMIUM (apt-get install chromium)" >&2
  exit 1
fi

# (a) The npm packages, from the lock file.
if [ ! -f "$HERE/node_modules/.package-lock.json" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  echo "e2e: npm ci"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || { echo "e2e: npm ci failed" >&2; exit 1; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ningju-e2e.XXXXXX")
SERVER_PID=
SMTP_PID=
cleanup() {
  local status=$?
  if [ -n "$SMTP_PID" ]; then kill -TERM "$SMTP_PID" 2>/dev/null || true; wait "$SMTP_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (b) A small demo district, and a server on a free port.
DB="sqlite:$TMP/e2e.db"
if ! "$BINARY" demo --scale small --seed 3 --database "$DB" --password-cost test >"$TMP/demo.log" 2>&1; then
  echo "e2e: ningju demo failed:" >&2
  tail -n 40 "$TMP/demo.log" >&2
  exit 1
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
  else
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

# (b') A real SMTP server on loopback (Debian's aiosmtpd) keeping what it receives in a Maildir the tests read
# (E2E_MAILDIR); the server sends its email there.
SMTP_PORT=$(free_port)
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$TMP/mail" >"$TMP/smtp.log" 2>&1 &
SMTP_PID=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then break; fi
  if ! kill -0 "$SMTP_PID" 2>/dev/null; then
    echo "e2e: the test mail server did not start (apt-get install python3-aiosmtpd):" >&2
    tail -n 20 "$TMP/smtp.log" >&2
    exit 1
  fi
  sleep 0.1
done
export E2E_MAILDIR="$TMP/mail"

# Another process may take the port between our pick and the server's bind: try a few ports.
PORT=
for attempt in 1 2 3; do
  PORT=$(free_port)
  "$BINARY" serve --database "$DB" --listen 127.0.0.1 --port "$PORT" --web-root "$ROOT" --password-cost test --job-poll-seconds 1 \
    --smtp-url "smtp://127.0.0.1:$SMTP_PORT" --smtp-starttls off --smtp-from ningju@changning.example.org \
    --no-access-log >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  up=0
  for _ in $(seq 1 150); do  # 30 s
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    if curl -fsS --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then up=1; break; fi
    sleep 0.2
  done
  if [ "$up" = 1 ]; then break; fi
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: the server did not answer /healthz within 30 s:" >&2
    tail -n 40 "$TMP/server.log" >&2
    exit 1
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  echo "e2e: the server exited at start (attempt $attempt):" >&2
  tail -n 20 "$TMP/server.log" >&2
  PORT=
done
if [ -z "$PORT" ]; then exit 1; fi
echo "e2e: server on http://127.0.0.1:$PORT"

# (c) The tests.
status=0
node "$HERE/e2e.mjs" "http://127.0.0.1:$PORT" | tee "$TMP/e2e.log" || status=$?
if [ "$status" -ne 0 ] && [ -s "$TMP/server.log" ]; then
  echo "server log (last 30 lines):"
  tail -n 30 "$TMP/server.log" | sed 's/^/  /'
  # The summary stays the last line.
  grep -E '^e2e: [0-9]+ passed, [0-9]+ failed$' "$TMP/e2e.log" | tail -n 1 || true
fi
# (d) The server stops as in production (SIGTERM). Built with the sanitizers (scripts/test.sh), a report in its log
# -- an error while serving, or a leak found at exit -- fails the run as one more failed test.
kill -TERM "$SERVER_PID" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
if grep -qE '(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error: ' "$TMP/server.log"; then
  echo "e2e: the server's log holds a sanitizer report:"
  grep -n -E -A 25 '(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error: ' "$TMP/server.log" |
    head -n 80 | sed 's/^/  /'
  line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed$' "$TMP/e2e.log" | tail -n 1)
  passed=$(sed -E 's/^e2e: ([0-9]+) passed.*/\1/' <<<"${line:-e2e: 0 passed, 0 failed}")
  failed=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"${line:-e2e: 0 passed, 0 failed}")
  echo "e2e: $passed passed, $((failed + 1)) failed"
  status=1
fi
# cleanup() removes the temporary directory.
exit "$status"
