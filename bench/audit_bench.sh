#!/usr/bin/env bash
# What the audit events cost the token endpoint. Prints figures; never passes or fails on them.
#
# One private PostgreSQL and one client-credentials client; `keyward serve` (Release build, as
# token_bench.sh) is started alternately with KEYWARD_EVENTS=on and KEYWARD_EVENTS=off, for
# BENCH_ROUNDS rounds each (on, off, on, off, …), so that both see the same machine. Every
# token issued with events on is one `token_issued` row, written by the asynchronous writer in
# batches. Per run it prints tokens/s, p50/p99, non-2xx, keyward's CPU per token and
# PostgreSQL's (every process of the private cluster, from /proc), and at the end the medians
# and the cost of the events: the drop in tokens/s, and the added CPU (keyward + PostgreSQL)
# per token, as a share of the CPU per token with events off. It also checks that the events
# table holds one row per token issued with events on.
#
# Settings: BENCH_DURATION (default 10), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2),
# BENCH_ROUNDS (3), KEYWARD_THREADS and KEYWARD_WORKERS (2 and 2), KEYWARD_LOG_LEVEL (info),
# BENCH_BUILD_DIR.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

rounds=${BENCH_ROUNDS:-3}

bench_require wrk openssl psql python3 curl
bench_build_keyward
unset BENCH_EVENTS
bench_setup
bench_clients
bench_post_script "$bench_work/token.lua" grant_type=client_credentials "$svc_basic"

# CPU of the private cluster: the postmaster's own and that of the children it has reaped
# (utime, stime, cutime, cstime: backends that ended with their connection), plus the live
# children's.
pg_ticks() {
  local postmaster total pid
  postmaster=$(head -n 1 "$KEYWARD_PG_DIR/data/postmaster.pid")
  total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster"); do
    if [ -r "/proc/$pid/stat" ]; then total=$((total + $(cpu_ticks "$pid"))); fi
  done
  echo "$total"
}

token_events() {
  psql "$KEYWARD_DATABASE_URL" -Atc "SELECT count(*) FROM events WHERE type = 'token_issued'"
}

echo "== machine: $(nproc) cores shared by wrk, PostgreSQL and keyward; load average $(cut -d' ' -f1-3 /proc/loadavg)"
declare -a on_rps off_rps on_us off_us
issued_on=0
for round in $(seq "$rounds"); do
  for mode in on off; do
    export KEYWARD_EVENTS=$mode
    keyward_start
    pg_before=$(pg_ticks)
    wrk_run "round $round events $mode" "$direct/token" "$bench_work/token.lua" "$keyward_pid"
    keyward_stop >/dev/null # flushes the writer's queue before PostgreSQL's CPU is read
    sleep 0.5               # the backends it held have exited and been reaped
    pg_after=$(pg_ticks)
    pg_us=$(awk -v a="$pg_after" -v b="$pg_before" -v t="$bench_ticks" -v r="$r_requests" \
      'BEGIN { printf "%.0f", (a - b) / t * 1e6 / r }')
    total_us=$((r_us + pg_us))
    printf '%-30s PostgreSQL CPU %5s µs/req; keyward + PostgreSQL %5s µs/req\n' "" "$pg_us" "$total_us"
    if [ "$mode" = on ]; then
      on_rps+=("$r_rps")
      on_us+=("$total_us")
      issued_on=$((issued_on + r_requests))
    else
      off_rps+=("$r_rps")
      off_us+=("$total_us")
    fi
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_on_rps=$(median "${on_rps[@]}")
m_off_rps=$(median "${off_rps[@]}")
m_on_us=$(median "${on_us[@]}")
m_off_us=$(median "${off_us[@]}")
echo "== audit cost (medians of $rounds rounds each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf 'events on : %9s tokens/s, %5s µs CPU per token (keyward + PostgreSQL)\n' "$m_on_rps" "$m_on_us"
printf 'events off: %9s tokens/s, %5s µs CPU per token (keyward + PostgreSQL)\n' "$m_off_rps" "$m_off_us"
awk -v on="$m_on_rps" -v off="$m_off_rps" -v uon="$m_on_us" -v uoff="$m_off_us" 'BEGIN {
  printf "throughput with events: %+.1f %% ; CPU per token: %+.1f %%\n",
    (on / off - 1) * 100, (uon / uoff - 1) * 100 }'
# wrk's count includes requests the warm-up sent; the table must hold at least the measured ones.
rows=$(token_events)
echo "token_issued rows: $rows (measured tokens with events on: $issued_on, plus warm-ups)"
