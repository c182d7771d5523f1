#!/usr/bin/env bash
# Installs every Debian package Keyward needs to build, run and test, on a fresh
# Debian 12 as root. Idempotent: packages already present are not reinstalled,
# and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-format
  libssl-dev libpistache-dev libpqxx-dev libpq-dev nlohmann-json3-dev
  libargon2-dev libkainjow-mustache-dev libgtest-dev libgmock-dev liburiparser-dev
  libcurl4-openssl-dev libutfcpp-dev
  # run
  postgresql postgresql-client nginx-light openssl curl ca-certificates
  # test: third-party clients that verify our tokens, and the browser flow
  python3 python3-jwt python3-authlib python3-requests python3-aiosmtpd nodejs npm chromium
  python3-prometheus-client
  docker-compose
  # benchmarks
  wrk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# node and npm may come from outside Debian on some images; an existing one is fine.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs | npm) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bootstrap: all packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "bootstrap: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package creates and starts a system cluster; we never use it.
if command -v pg_lsclusters >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now postgresql >/dev/null 2>&1 || true
fi
echo "bootstrap: done"
