#!/usr/bin/env bash
# The second command of the Quick start, and what CI runs: installs what is missing, builds with warnings as
# errors, starts a throw-away PostgreSQL on loopback, and runs every test: unit and HTTP integration tests on SQLite,
# the storage-backed suites again on PostgreSQL, the browser tests in headless Chromium, and the lower layers again
# under ASan + UBSan. Ends with one line
# "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${NINGJU_TEST_BUILD_DIR:-build/test}
JOBS=${NINGJU_JOBS:-2}
# Production runs on a Shanghai-time host (STYLE.md 16): every stage below (ctest on both backends, the browser tests,
# the sanitizers) runs in that zone, so a time formatted through the host's zone shows as a failing test. tzdata
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

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNINGJU_WERROR=ON >/dev/null || exit 1
ninja -C "$BUILD" -j"$JOBS" || exit 1

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
   -L 'record|auth|areas|ballots|cases|meetings|elevator|concurrency|integration') 2>&1 | tee "$BUILD/ctest-postgres.log"
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

# ASan + UBSan (STYLE.md): the layers every module stands on -- common, http, storage (both backends), record, auth,
# web, text (not the text CLI test, which needs the whole binary) -- built with
# the sanitizers and their tests run; any report fails its test (UBSan halts on the first error).
ASAN_BUILD=${NINGJU_ASAN_BUILD_DIR:-build/asan}
echo "== sanitizers (ASan + UBSan): common, http, storage, record, auth, web, text"
if cmake -S . -B "$ASAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNINGJU_WERROR=ON -DNINGJU_SANITIZE=ON \
     >/dev/null && ninja -C "$ASAN_BUILD" -j"$JOBS" common_test http_test http_server_test storage_test \
     record_test auth_test web_test error_catalog_test text_test text_search_test; then
  (cd "$ASAN_BUILD" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     ctest -j"$JOBS" --output-on-failure --timeout 600 -L '^(common|http|storage|record|auth|web|text)$') 2>&1 | tee "$ASAN_BUILD/ctest-asan.log"
  count_ctest "$ASAN_BUILD/ctest-asan.log"
else
  echo "the sanitizer build failed"
  FAILED=$((FAILED + 1))
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
