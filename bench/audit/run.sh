#!/usr/bin/env bash
# The audit head's cost under concurrent writers, measured with pgbench on the database's side (docs/PERFORMANCE.md):
# `plain.sql` (an action's own writes), `per_writer.sql` (the same with an audit record in a chain per writer) and
# `audited.sql` (the same through the one head row, as record::Audit does),
# interleaved in rounds on the same server, for each client count. audit_bench.cc measures the same through
# record::Audit in process.
#
#   bench/audit/run.sh postgresql://ningju@127.0.0.1:54329/ningju_test [seconds=5] [rounds=2] [clients="1 4 16"]
set -euo pipefail
URL="$1"
SECONDS_EACH="${2:-5}"
ROUNDS="${3:-2}"
CLIENTS="${4:-1 4 16}"
DIR="$(cd "$(dirname "$0")" && pwd)"
psql "$URL" -q -v ON_ERROR_STOP=1 -f "$DIR/schema.sql" >/dev/null
tps() { pgbench -n -M prepared -c "$1" -j 2 -T "$SECONDS_EACH" -f "$2" "$URL" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
printf '%-8s %-6s %10s %12s %12s %16s\n' clients round plain_tps per_writer_tps audited_tps audited/per_writer
for c in $CLIENTS; do
  for r in $(seq 1 "$ROUNDS"); do
    p=$(tps "$c" "$DIR/plain.sql")
    w=$(tps "$c" "$DIR/per_writer.sql")
    a=$(tps "$c" "$DIR/audited.sql")
    printf '%-8s %-6s %10.0f %12.0f %12.0f %16.2f\n' "$c" "$r" "$p" "$w" "$a" "$(echo "$a / $w" | bc -l)"
  done
done
# The chain is gapless and its count matches the head.
psql "$URL" -At -c "SELECT 'audit records ' || COUNT(*) || ', head ' || (SELECT last_id FROM audit_bench.audit_head) \
  FROM audit_bench.audit_log"
psql "$URL" -q -c "SET client_min_messages = warning; DROP SCHEMA audit_bench CASCADE"
