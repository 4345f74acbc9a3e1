#!/usr/bin/env bash
# Load test of a running ningju server with wrk: a static file (the upper bound: no database, no template), a page
# and an API read, each with 1000 and with 100 open connections, printing requests/s, latency percentiles and each
# route's throughput as a share of the static baseline.
#
#   bench/http/run.sh [BASE_URL] [STATIC_PATH] [PAGE_PATH] [API_PATH]
#
# Defaults: http://127.0.0.1:8080 /static/app.css /areas /api/v1/areas?kind=subdistrict
# Environment: DURATION (10s), THREADS (2), CONNECTIONS ("1000 100"), WARMUP (2s; 0 to skip),
#              TIMEOUT (wrk's per-request timeout, 5s), NOFILE (open files wanted, 65536).
#
# The server must be started with enough open files too (ulimit -n above the connection count). Without the app,
# `http_bench_server --static-dir static` (bench/http) answers the default paths. wrk shares the machine with the
# server, so on a small machine the numbers are a floor; record the core count with them in docs/PERFORMANCE.md.
set -euo pipefail

BASE_URL=${1:-http://127.0.0.1:8080}
STATIC_PATH=${2:-/static/app.css}
PAGE_PATH=${3:-/areas}
API_PATH=${4:-/api/v1/areas?kind=subdistrict}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-1000 100}
WARMUP=${WARMUP:-2s}
TIMEOUT=${TIMEOUT:-5s}
NOFILE=${NOFILE:-65536}

command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

# wrk needs one descriptor per connection.
hard=$(ulimit -Hn)
want=$NOFILE
if [[ "$hard" != "unlimited" && "$hard" -lt "$want" ]]; then want=$hard; fi
ulimit -n "$want" 2>/dev/null || echo "run.sh: could not raise ulimit -n to $want (now $(ulimit -n))" >&2
for c in $CONNECTIONS; do
  if [[ "$(ulimit -n)" -le "$c" ]]; then
    echo "run.sh: ulimit -n is $(ulimit -n), too low for $c connections" >&2
    exit 1
  fi
done

# One request per route first: a wrong path should fail here, not as a screen of non-2xx counts.
for path in "$STATIC_PATH" "$PAGE_PATH" "$API_PATH"; do
  if command -v curl >/dev/null; then
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL$path" || true)
    if [[ "$code" != 2* ]]; then
      echo "run.sh: GET $BASE_URL$path answered '${code}'; is the server running and the path right?" >&2
      exit 1
    fi
  fi
done

# Prints "rps p50 p75 p90 p99 errors" from wrk --latency output on stdin (latencies in milliseconds).
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v + 0
    }
    /Latency Distribution/ { dist = 1; next }
    dist && $1 == "50%" { p50 = ms($2) }
    dist && $1 == "75%" { p75 = ms($2) }
    dist && $1 == "90%" { p90 = ms($2) }
    dist && $1 == "99%" { p99 = ms($2); dist = 0 }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%.0f %.2f %.2f %.2f %.2f %d\n", rps, p50, p75, p90, p99, errors }
  '
}

declare -A RPS
printf 'wrk: %s threads, %s per run, machine: %s cores\n' "$THREADS" "$DURATION" "$(nproc)"
printf '%-6s %-40s %10s %9s %9s %9s %9s %8s %8s\n' \
  conns route 'req/s' 'p50 ms' 'p75 ms' 'p90 ms' 'p99 ms' errors 'vs static'
for c in $CONNECTIONS; do
  for path in "$STATIC_PATH" "$PAGE_PATH" "$API_PATH"; do
    if [[ "$WARMUP" != "0" ]]; then
      wrk -t"$THREADS" -c"$c" -d"$WARMUP" --timeout "$TIMEOUT" "$BASE_URL$path" >/dev/null 2>&1 || true
    fi
    out=$(wrk -t"$THREADS" -c"$c" -d"$DURATION" --timeout "$TIMEOUT" --latency "$BASE_URL$path")
    read -r rps p50 p75 p90 p99 errors <<<"$(parse_wrk <<<"$out")"
    RPS["$c $path"]=$rps
    base=${RPS["$c $STATIC_PATH"]}
    ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-6s %-40s %10s %9s %9s %9s %9s %8s %8s\n' "$c" "$path" "$rps" "$p50" "$p75" "$p90" "$p99" \
      "$errors" "$ratio"
  done
done
