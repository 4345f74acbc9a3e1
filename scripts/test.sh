#!/usr/bin/env bash
# The second command of the Quick start, and what CI runs: installs what is missing, builds once with AddressSanitizer
# and UndefinedBehaviorSanitizer (warnings as errors), starts a throw-away PostgreSQL on loopback, and runs every test
# on that one build: unit and HTTP integration tests on SQLite, the storage-backed suites again on PostgreSQL, and the
# browser tests in headless Chromium against the sanitized server. Any sanitizer report fails its test (a leak at exit
# included). Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${NINGJU_TEST_BUILD_DIR:-build/test}
JOBS=${NINGJU_JOBS:-2}
# Production runs on a Shanghai-time host (STYLE.md 16): every stage below (ctest on both backends, the browser tests)
# runs in that zone, so a time formatted through the host's zone shows as a failing test. tzdata
# (install-deps.sh) provides the zone; the time module's own tests also switch to America/New_York.
export TZ=Asia/Shanghai

if [ "$(id -u)" = 0 ]; then bash scripts/install-deps.sh; else sudo bash scripts/install-deps.sh; fi || exit 1

# The code is formatted as .clang-format says (STYLE.md); a difference fails before anything is built.
if ! git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror 2>"$ROOT/.format.log"; then
  head -40 "$ROOT/.format.log"
  echo "clang-format: the files above differ from .clang-format; run: git ls-files '*.cc' '*.h' | xargs clang-format -i"
  rm -f "$ROOT/.format.log"
  exit 1
fi
rm -f "$ROOT/.format.log"

# One build for every stage (docs/PERFORMANCE.md has its times): -O1, as AddressSanitizer's documentation suggests,
# and -g1 (line tables only: enough for the reports' file:line) keep the compile and link times down.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNINGJU_WERROR=ON -DNINGJU_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" >/dev/null || exit 1
ninja -C "$BUILD" -j"$JOBS" || exit 1
# Every report fails: a leak at exit, and UBSan's first finding (it halts).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

PASSED=0
FAILED=0
# Adds the counts of a ctest log to the totals.
count_ctest() {
  local line total failed
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$1" | tail -n 1)
  if [ -z "$line" ]; then FAILED=$((FAILED + 1)); return; fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  PASSED=$((PASSED + total - failed))
  FAILED=$((FAILED + failed))
}

# A throw-away PostgreSQL 15 on loopback; CI may never skip it.
PG_URL=$(bash scripts/pg-test-server.sh start) || { echo "could not start PostgreSQL"; exit 1; }
trap 'bash "$ROOT/scripts/pg-test-server.sh" stop >/dev/null 2>&1 || true' EXIT
export NINGJU_TEST_POSTGRES_URL="$PG_URL"
export NINGJU_REQUIRE_POSTGRES=1

echo "== unit and integration tests (SQLite; the storage suite on both backends)"
(cd "$BUILD" && ctest -j"$JOBS" --output-on-failure --timeout 600) 2>&1 | tee "$BUILD/ctest-sqlite.log"
count_ctest "$BUILD/ctest-sqlite.log"

echo "== the database-backed suites again on PostgreSQL"
(cd "$BUILD" && NINGJU_TEST_BACKEND=postgres ctest -j"$JOBS" --output-on-failure --timeout 600 \
   -L 'record|auth|areas|ballots|cases|meetings|elevator|concurrency|integration|search') 2>&1 | tee "$BUILD/ctest-postgres.log"
count_ctest "$BUILD/ctest-postgres.log"

if [ -f tests/e2e/run.sh ]; then
  echo "== browser tests (headless Chromium)"
  if bash tests/e2e/run.sh "$BUILD/src/cli/ningju" 2>&1 | tee "$BUILD/e2e.log"; then :; fi
  e2e_line=$(grep -E "^e2e: [0-9]+ passed, [0-9]+ failed" "$BUILD/e2e.log" | tail -n 1)
  if [ -n "$e2e_line" ]; then
    PASSED=$((PASSED + $(sed -E 's/^e2e: ([0-9]+) passed.*/\1/' <<<"$e2e_line")))
    FAILED=$((FAILED + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$e2e_line")))
  else
    FAILED=$((FAILED + 1))
  fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
