#!/usr/bin/env bash
# The core-scaling curve of client-credentials RS256 tokens. Prints figures; never passes or
# fails on them.
#
# For n = 1, 2, 4, … up to the machine's cores (BENCH_MAX_THREADS to go further), starts
# `keyward serve` (Release build, as token_bench.sh) with n reactor threads and n workers
# (KEYWARD_THREADS = KEYWARD_WORKERS = n) on one private PostgreSQL, and runs wrk at 32
# connections against /token. Per setting it prints tokens/s, p50/p99, non-2xx, server CPU
# per token, the cores keyward kept busy (server CPU-seconds per second), tokens/s per busy
# core, the resident memory after the load (VmRSS) and the PostgreSQL connections the
# instance holds (pg_stat_activity). On a machine whose cores wrk and PostgreSQL share,
# tokens/s stops growing at the last settings: read the CPU per token and the tokens per
# busy core, not only the rate.
#
# Settings: BENCH_DURATION (default 10), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2),
# BENCH_MAX_THREADS (default nproc), KEYWARD_LOG_LEVEL (info), BENCH_EVENTS, BENCH_BUILD_DIR.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

max=${BENCH_MAX_THREADS:-$(nproc)}
duration=${BENCH_DURATION:-10}

bench_require wrk openssl psql python3 curl
bench_build_keyward
bench_setup
bench_clients
bench_post_script "$bench_work/token.lua" grant_type=client_credentials "$svc_basic"

rsa=$(openssl_sign_rate rsa2048)
rsa_us=$(awk -v r="$rsa" 'BEGIN { printf "%.1f", 1e6 / r }')
echo "== machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); openssl RSA-2048: $rsa sign/s on one core = $rsa_us µs"

pg_connections() {
  psql "$KEYWARD_DATABASE_URL" -Atc \
    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'keyward%'" 2>/dev/null || echo "?"
}

declare -a rows
n=1
while [ "$n" -le "$max" ]; do
  export KEYWARD_THREADS=$n KEYWARD_WORKERS=$n
  echo "== $n reactor thread(s), $n worker(s)"
  keyward_start
  wrk_run "token, n=$n" "$direct/token" "$bench_work/token.lua" "$keyward_pid"
  rss=$(rss_kib "$keyward_pid")
  conns=$(pg_connections)
  busy=$(awk -v u="$r_us" -v r="$r_rps" 'BEGIN { printf "%.2f", u * r / 1e6 }')
  per_core=$(awk -v u="$r_us" 'BEGIN { printf "%.0f", 1e6 / u }')
  rows+=("$(printf '%3s %10s %8s %8s %6s %8s %6s %10s %8s %6s' "$n" "$r_rps" "$r_p50" "$r_p99" \
    "$r_non2xx" "$r_us" "$busy" "$per_core" "$((rss / 1024))" "$conns")")
  keyward_stop
  n=$((n * 2))
done

echo "== scaling (RSA-2048 floor $rsa_us µs per signature; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%3s %10s %8s %8s %6s %8s %6s %10s %8s %6s\n' n tokens/s p50 p99 non2xx µs/token cores \
  tok/core-s "RSS MiB" "PG conns"
printf '%s\n' "${rows[@]}"
