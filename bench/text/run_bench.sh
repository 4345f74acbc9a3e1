#!/usr/bin/env bash
# The text engine's benchmark (see docs/PERFORMANCE.md for the numbers and docs/TEXT.md for the method).
#
#   bench/text/run_bench.sh BUILD_DIR WORK_DIR [quality|scale|baseline|stream|all]
#
# quality+scale: 1,000,000 synthetic comments (about 150 characters, 30% in injected campaigns) through
#   `ningju text themes --groups` (normalize, dedup, themes) under /usr/bin/time, scored by text_eval.
# baseline: the plain pipeline (baseline.py: Python, scikit-learn, all-pairs Jaccard) and ningju on the same samples
#   of 5,000 / 10,000 / 20,000 comments; prints both times, the ratio and both scores.
# stream: STREAM_COUNT (default 20,000,000) comments through `ningju text dedup --max-exemplars 1000000`.
# Needs: the targets ningju, text_corpus_gen, text_eval; /usr/bin/python3 with python3-sklearn; the opencc command.
set -euo pipefail

BUILD=${1:?usage: run_bench.sh BUILD_DIR WORK_DIR [quality|scale|baseline|stream|all]}
WORK=${2:?usage: run_bench.sh BUILD_DIR WORK_DIR [quality|scale|baseline|stream|all]}
WHAT=${3:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
NINGJU=$BUILD/src/cli/ningju
GEN=$BUILD/bench/text/text_corpus_gen
EVAL=$BUILD/bench/text/text_eval
mkdir -p "$WORK"
cd "$WORK"

machine() {
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB;" \
       "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
}

corpus() {  # corpus COUNT SEED NAME
  [[ -s "$3.jsonl" && -s "$3.truth.csv" ]] || "$GEN" --count "$1" --seed "$2" --output "$3.jsonl" --truth "$3.truth.csv"
}

timed() {  # timed LABEL COMMAND...: runs COMMAND, prints wall, CPU and peak RSS
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s wall, %U s user, %S s system, %M KB peak RSS" "$@"
}

if [[ $WHAT == quality || $WHAT == scale || $WHAT == all ]]; then
  machine
  corpus 1000000 42 c1m
  timed "ningju text themes (1,000,000)" "$NINGJU" text themes --input c1m.jsonl --groups c1m.groups.csv \
    > c1m.themes.json
  "$EVAL" --truth c1m.truth.csv --groups c1m.groups.csv --themes c1m.themes.json
fi

if [[ $WHAT == baseline || $WHAT == all ]]; then
  machine
  corpus 1000000 42 c1m
  for n in 5000 10000 20000; do
    head -n "$n" c1m.jsonl > "s$n.jsonl"
    head -n "$((n + 1))" c1m.truth.csv > "s$n.truth.csv"
    start=$(date +%s.%N)
    "$NINGJU" text themes --input "s$n.jsonl" --groups "s$n.groups.csv" > "s$n.themes.json"
    ours=$(echo "$(date +%s.%N) - $start" | bc)
    start=$(date +%s.%N)
    /usr/bin/python3 "$HERE/baseline.py" --input "s$n.jsonl" --groups "s$n.base.groups.csv" \
      --themes "s$n.base.themes.json" > "s$n.base.timings.json"
    base=$(echo "$(date +%s.%N) - $start" | bc)
    echo "n=$n ningju ${ours}s baseline ${base}s ratio $(echo "scale=1; $base / $ours" | bc)x"
    echo "  ningju:   $("$EVAL" --truth "s$n.truth.csv" --groups "s$n.groups.csv" --themes "s$n.themes.json" \
      | tr -d '\n ' | grep -oE '"(pair_precision|pair_recall|theme_nmi)":[0-9.e-]+' | tr '\n' ' ')"
    echo "  baseline: $("$EVAL" --truth "s$n.truth.csv" --groups "s$n.base.groups.csv" \
      --themes "s$n.base.themes.json" | tr -d '\n ' \
      | grep -oE '"(pair_precision|pair_recall|theme_nmi)":[0-9.e-]+' | tr '\n' ' ')"
    echo "  baseline phases: $(cat "s$n.base.timings.json")"
  done
fi

if [[ $WHAT == stream || $WHAT == all ]]; then
  machine
  count=${STREAM_COUNT:-20000000}
  corpus "$count" 2020 "c$count"
  timed "ningju text dedup ($count, --max-exemplars 1000000)" "$NINGJU" text dedup --input "c$count.jsonl" \
    --max-exemplars 1000000 > "c$count.groups.csv"
  "$EVAL" --truth "c$count.truth.csv" --groups "c$count.groups.csv"
fi
