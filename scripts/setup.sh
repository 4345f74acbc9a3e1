#!/usr/bin/env bash
# The first command of the Quick start: installs what is missing, builds a Release binary, creates the demo district
# in an embedded SQLite database (data/ningju.db) and serves http://127.0.0.1:8080 until Ctrl-C.
# Environment: NINGJU_PORT (8080), NINGJU_DATABASE (sqlite:data/ningju.db), NINGJU_SEED (1).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  bash scripts/install-deps.sh
else
  sudo bash scripts/install-deps.sh
fi

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DNINGJU_TESTS=OFF >/dev/null
ninja -C build/release -j"$(nproc)" ningju

export NINGJU_DATABASE="${NINGJU_DATABASE:-sqlite:data/ningju.db}"
export NINGJU_PORT="${NINGJU_PORT:-8080}"
./build/release/src/cli/ningju demo --if-empty --seed "${NINGJU_SEED:-1}"
echo "Serving http://127.0.0.1:${NINGJU_PORT}/ (Ctrl-C stops)"
exec ./build/release/src/cli/ningju serve --web-root "$PWD"
