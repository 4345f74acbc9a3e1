#!/usr/bin/env bash
# bench/roster/run.sh BUILD_DIR [ROWS]: writes a generated roster as CSV, as .xlsx with inline strings (ningju's own
# export) and as .xlsx with shared strings (Excel's way), then reads each in its own process and prints each line and
# the .xlsx/CSV ratios of time and of the reader's memory (docs/PERFORMANCE.md).
set -euo pipefail
BIN=${1:?usage: run.sh BUILD_DIR [ROWS]}/bench/roster/roster_bench
ROWS=${2:-100000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
declare -A MS MB
for f in csv xlsx-inline xlsx-shared; do
  ext=xlsx; [ "$f" = csv ] && ext=csv
  "$BIN" --write "$DIR/$f.$ext" --format "$f" --rows "$ROWS"
  line=$("$BIN" --read "$DIR/$f.$ext")
  echo "$f: $line"
  MS[$f]=$(sed -E 's/.*best_ms=([0-9.]+).*/\1/' <<<"$line")
  MB[$f]=$(sed -E 's/.*reader_mb=([0-9-]+).*/\1/' <<<"$line")
done
for f in xlsx-inline xlsx-shared; do
  awk -v f="$f" -v a="${MS[$f]}" -v b="${MS[csv]}" -v ma="${MB[$f]}" -v mb="${MB[csv]}" \
    'BEGIN { printf "%s / csv: time %.2fx; reader memory %d MB vs %d MB\n", f, a / b, ma, mb }'
done
