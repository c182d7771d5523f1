#!/usr/bin/env bash
# Installs what is missing, builds, starts a private PostgreSQL for the tests,
# runs the whole suite with ctest, and stops what it started (also on failure).
#   KEYWARD_SANITIZE=1 scripts/test.sh   builds with ASan + UBSan
#   scripts/test.sh -R jose              extra arguments go to ctest
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bash scripts/bootstrap.sh

build=build/test
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKEYWARD_BUILD_TESTS=ON)
if [ "${KEYWARD_SANITIZE:-0}" = 1 ]; then
  build=build/test-sanitize
  cmake_args+=(-DKEYWARD_SANITIZE=ON)
  # Leaks inside third-party libraries we cannot fix, each explained in the file.
  export LSAN_OPTIONS="suppressions=$repo/tests/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
cmake -S . -B "$build" "${cmake_args[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"

# Third-party verifiers and the browser driver used by the tests, from npm.
if [ -f tests/js/package.json ]; then
  (cd tests/js && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
fi

# The tests' own cluster: never the demo's.
export KEYWARD_PG_DIR="$repo/.data/pg-test"
export KEYWARD_PG_PORT="${KEYWARD_TEST_PG_PORT:-54339}"
cleanup() { bash "$repo/scripts/pg.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
bash scripts/pg.sh start
KEYWARD_TEST_DATABASE_URL="$(bash scripts/pg.sh url)"
export KEYWARD_TEST_DATABASE_URL
export KEYWARD_TEST_PG_PASSWORD_FILE="$KEYWARD_PG_DIR/password"
export KEYWARD_BUILD_DIR="$repo/$build"
export KEYWARD_SOURCE_DIR="$repo"

cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 300 "$@"
