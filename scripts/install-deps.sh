#!/usr/bin/env bash
# Installs every Debian package ningju needs to build, test and benchmark. Idempotent: packages already present are
# left alone, so a second run only checks. Run as root on Debian 12 (bookworm).
set -euo pipefail

BUILD=(build-essential cmake ninja-build pkg-config git ca-certificates clang-format sqlite3 python3 curl tzdata)
LIBS=(
  libboost-dev               # Boost.Asio/Beast: HTTP server
  libsqlite3-dev             # embedded store
  libpq-dev                  # PostgreSQL client
  libsodium-dev              # argon2id, random tokens, constant-time compare
  nlohmann-json3-dev         # JSON
  libkainjow-mustache-dev    # templates (escaping by default)
  libspdlog-dev libfmt-dev   # logs
  libcli11-dev               # command line
  libqrencode-dev            # building door QR codes
  libxlsxwriter-dev          # .xlsx export
  libminizip-dev zlib1g-dev  # .xlsx import (zip)
  libexpat1-dev              # .xlsx import (xml, streamed)
  libpugixml-dev             # tests: the door sheet's SVG
  libicu-dev                 # NFKC, word breaks
  libopencc-dev opencc       # traditional -> simplified
  libxxhash-dev              # MinHash
  libmagic-dev               # upload type sniffing
  libvips-dev                # upload thumbnails
  libjemalloc-dev            # the server's allocator
  libcurl4-openssl-dev       # email over SMTP, the SMS gateway over HTTP
  libgtest-dev libgmock-dev  # tests
  python3-aiosmtpd           # tests: a real SMTP server on loopback
  libbenchmark-dev           # micro-benchmarks
)
SERVICES=(postgresql-15 postgresql-client-15)
BROWSER=(chromium fonts-noto-cjk)
BENCH=(wrk hyperfine python3-sklearn)  # python3-sklearn: the text baseline (bench/text)

want=("${BUILD[@]}" "${LIBS[@]}" "${SERVICES[@]}" "${BROWSER[@]}" "${BENCH[@]}")
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)

missing=()
for p in "${want[@]}"; do
  case "$p" in \#*) continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
