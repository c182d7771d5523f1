#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with Debian's clang (ASan + UBSan + libFuzzer)
# in build/fuzz, runs each for a bounded time, one at a time, and prints per target the
# executions, the speed, the coverage reached and the findings.
#   scripts/fuzz.sh              60 s per target, every target
#   scripts/fuzz.sh 300          300 s per target
#   scripts/fuzz.sh 30 jwt form  30 s, only fuzz_jwt and fuzz_form
# The seeds in tests/fuzz/corpus/<target>/ are read, never written: what the fuzzer finds
# goes to build/fuzz/corpus/<target>/, and crashing inputs to build/fuzz/findings/<target>/.
# Exit status 1 when any target found something. The test build (scripts/test.sh) is
# untouched: this uses its own build directory and compiler.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

seconds=${1:-60}
shift || true
all_targets=(form cookies base64url jwt jwks bearer authorize)
targets=("$@")
[ "${#targets[@]}" -eq 0 ] && targets=("${all_targets[@]}")

# clang and its runtimes (libFuzzer, ASan, UBSan) come from Debian; only this script needs
# them, so scripts/bootstrap.sh does not install them.
packages=(clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz: missing ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build=build/fuzz
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DKEYWARD_FUZZ=ON -DKEYWARD_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

summary=()
failed=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  findings="$build/findings/$t"
  log="$build/fuzz_$t.log"
  mkdir -p "$work" "$findings"
  echo "fuzz: fuzz_$t for ${seconds}s (log $log)"
  status=0
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$work" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$work" -type f | wc -l)
  found=$(find "$findings" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed=1
    echo "fuzz: fuzz_$t FOUND SOMETHING (exit $status):" >&2
    grep -E 'ERROR|invariant failed|runtime error|SUMMARY' "$log" | head -5 >&2 || true
    find "$findings" -type f >&2
  fi
  summary+=("$(printf '%-10s %12s %10s %7s %7s %7s %s' "$t" "${runs:-?}" "${speed:-?}" \
    "${cov:-?}" "${ft:-?}" "$corpus" "$found")")
done

printf '\n%-10s %12s %10s %7s %7s %7s %s\n' target executions exec/s cov ft corpus findings
printf '%s\n' "${summary[@]}"
exit "$failed"
