#!/usr/bin/env bash
# Token-endpoint benchmark. Prints figures; never passes or fails on them.
#
# Starts its own PostgreSQL (scripts/pg.sh in a temporary KEYWARD_PG_DIR on a free port),
# `keyward serve` from the Release build in build/release (built if missing), and nginx
# through scripts/frontdoor.sh; registers a client-credentials client and a resource
# server; then, with wrk at 32 connections, measures directly and through nginx:
#   - client-credentials tokens/s, p50/p99 latency, non-2xx count;
#   - introspections/s (a live access token, authenticated resource server);
#   - JWKS GETs/s;
# and for each run the server's CPU time from /proc/<pid>/stat before and after, as
# requests per second of server CPU: the figure the shared cores disturb least. It also
# runs `openssl speed -seconds 5 rsa2048` (one core) and prints client-credentials tokens
# per second (and per server-CPU second) divided by that RSA-2048 sign rate.
#
# Settings (environment): BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS
# (32), BENCH_WRK_THREADS (2), KEYWARD_THREADS and KEYWARD_WORKERS (passed to serve,
# default 2 and 2), KEYWARD_LOG_LEVEL (default info: one access-log line per request,
# written to a file, as in production).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
wrk_threads=${BENCH_WRK_THREADS:-2}
build=$repo/build/release

for tool in wrk nginx openssl psql python3; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
    echo "token_bench: $tool is missing; run scripts/bootstrap.sh" >&2
    exit 1
  }
done

if [ ! -x "$build/server/keyward" ]; then
  echo "== building keyward (Release) in $build"
  # GCC 12 at -O3 reports -Wrestrict false positives inside libstdc++'s string code
  # (GCC bug 105329); they are not ours to fix and must not stop a benchmark build.
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEYWARD_BUILD_TESTS=OFF \
    -DCMAKE_CXX_FLAGS=-Wno-restrict >/dev/null
  cmake --build "$build" --target keyward
fi
keyward=$build/server/keyward

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work=$(mktemp -d /tmp/keyward-bench.XXXXXX)
chmod 755 "$work"
export KEYWARD_PG_DIR=$work/pg
export KEYWARD_PG_PORT
KEYWARD_PG_PORT=$(free_port)
keyward_pid=""
cleanup() {
  if [ -n "$keyward_pid" ] && kill -0 "$keyward_pid" 2>/dev/null; then
    local started=$SECONDS
    kill -TERM "$keyward_pid" 2>/dev/null || true
    wait "$keyward_pid" 2>/dev/null || true
    # SIGTERM after load: the drain must not wait for answers to clients that have gone.
    if grep -q '"drain timed out' "$work/keyward.log"; then
      echo "== keyward stopped in $((SECONDS - started)) s: the drain TIMED OUT"
    else
      echo "== keyward stopped in $((SECONDS - started)) s, drained"
    fi
  fi
  bash scripts/frontdoor.sh stop "$work/nginx" >/dev/null 2>&1 || true
  bash scripts/pg.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== PostgreSQL (private, port $KEYWARD_PG_PORT)"
bash scripts/pg.sh start >/dev/null
KEYWARD_DATABASE_URL=$(bash scripts/pg.sh url)
export KEYWARD_DATABASE_URL
KEYWARD_MASTER_KEY=$(openssl rand -hex 32)
export KEYWARD_MASTER_KEY
export KEYWARD_DATA_DIR=$work/data
export KEYWARD_MIGRATIONS_DIR=$repo/migrations
export KEYWARD_TEMPLATES_DIR=$repo/templates
keyward_port=$(free_port)
nginx_port=$(free_port)
export KEYWARD_LISTEN=127.0.0.1:$keyward_port
export KEYWARD_ISSUER=http://127.0.0.1:$nginx_port
export KEYWARD_ALLOW_INSECURE_ISSUER=true
export KEYWARD_THREADS=${KEYWARD_THREADS:-2}
export KEYWARD_WORKERS=${KEYWARD_WORKERS:-2}
export KEYWARD_LOG_LEVEL=${KEYWARD_LOG_LEVEL:-info}

"$keyward" migrate >/dev/null
json_field() { python3 -c 'import json, sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }
svc=$("$keyward" client create --name bench-svc --grant-types client_credentials \
  --scopes "read write" --audience https://api.example 2>/dev/null)
rs=$("$keyward" client create --name bench-rs --grant-types client_credentials \
  --scopes "introspect" --introspect 2>/dev/null)
basic() { printf '%s:%s' "$1" "$2" | base64 -w0; }
svc_basic=$(basic "$(json_field client_id <<<"$svc")" "$(json_field client_secret <<<"$svc")")
rs_basic=$(basic "$(json_field client_id <<<"$rs")" "$(json_field client_secret <<<"$rs")")

echo "== keyward serve (threads $KEYWARD_THREADS, workers $KEYWARD_WORKERS, log $KEYWARD_LOG_LEVEL)"
"$keyward" serve >"$work/keyward.log" 2>&1 &
keyward_pid=$!
direct=http://127.0.0.1:$keyward_port
for _ in $(seq 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$direct/health/ready")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$direct/health/ready")" = 200 ] || {
  echo "token_bench: keyward did not become ready" >&2
  tail -n 20 "$work/keyward.log" >&2
  exit 1
}
echo "== nginx front door on 127.0.0.1:$nginx_port"
# The shipped per-address limits (20 tokens/s, 64 requests in progress) would turn almost
# every request of one wrk address into a 429: the bench measures keyward, not the limits.
KEYWARD_FRONTDOOR_CONN_LIMIT=$((connections + 64)) KEYWARD_FRONTDOOR_TOKEN_RATE=1000000 \
  KEYWARD_FRONTDOOR_TOKEN_BURST=1000000 KEYWARD_FRONTDOOR_INTROSPECT_RATE=1000000 \
  KEYWARD_FRONTDOOR_INTROSPECT_BURST=1000000 \
  bash scripts/frontdoor.sh start "$work/nginx" "127.0.0.1:$nginx_port" "127.0.0.1:$keyward_port" \
  127.0.0.1:9 >/dev/null
front=http://127.0.0.1:$nginx_port

token=$(curl -sf -H "Authorization: Basic $svc_basic" -d grant_type=client_credentials \
  "$direct/token" | json_field access_token)

cat >"$work/token.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $svc_basic"
LUA
cat >"$work/introspect.lua" <<LUA
wrk.method = "POST"
wrk.body = "token=$token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $rs_basic"
LUA

ticks=$(getconf CLK_TCK)
# utime + stime of every thread of the process, in clock ticks (proc(5) fields 14, 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
nginx_ticks() {
  local total=0 pid
  for pid in $(pgrep -f "nginx: worker process" -P "$(cat "$work/nginx/nginx.pid")"); do
    total=$((total + $(cpu_ticks "$pid")))
  done
  echo "$total"
}

declare -A rate
run() { # name url path script
  local name=$1 url=$2 path=$3 script=$4 out before after nbefore nafter
  wrk -t"$wrk_threads" -c"$connections" -d2s ${script:+-s "$script"} "$url$path" >/dev/null
  before=$(cpu_ticks "$keyward_pid")
  nbefore=$(nginx_ticks)
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency ${script:+-s "$script"} \
    "$url$path")
  after=$(cpu_ticks "$keyward_pid")
  nafter=$(nginx_ticks)
  local requests rps p50 p99 non2xx errors cpu per_cpu us nginx_us
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  errors=$(awk '/Socket errors/ { print $0 }' <<<"$out" | sed 's/^ *//')
  cpu=$(awk -v a="$after" -v b="$before" -v t="$ticks" 'BEGIN { printf "%.2f", (a - b) / t }')
  per_cpu=$(awk -v r="$requests" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "n/a" }')
  us=$(awk -v r="$requests" -v c="$cpu" 'BEGIN { if (r > 0) printf "%.0f", c * 1e6 / r; else print "n/a" }')
  nginx_us=$(awk -v a="$nafter" -v b="$nbefore" -v t="$ticks" -v r="$requests" \
    'BEGIN { if (r > 0) printf "%.0f", (a - b) / t * 1e6 / r; else print "n/a" }')
  rate[$name]=$rps
  rate[$name.cpu]=$per_cpu
  printf '%-28s %10s req/s  p50 %-9s p99 %-9s non-2xx %-6s server CPU %6ss = %6s µs/req (%s req per CPU-s)' \
    "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "$cpu" "$us" "$per_cpu"
  [ "$url" = "$front" ] && printf '  nginx %s µs/req' "$nginx_us"
  printf '\n'
  [ -n "$errors" ] && printf '%-28s %s\n' "" "$errors"
  return 0
}

echo "== openssl speed -seconds 5 rsa2048 (one core)"
sign_rate=$(openssl speed -seconds 5 rsa2048 2>/dev/null |
  awk '/^rsa 2048 bits/ { n = 0; for (i = 4; i <= NF; i++) if ($i !~ /s$/) { print $i; exit } }')
echo "RSA-2048 sign/s (single core): $sign_rate"

echo "== wrk: $connections connections, $wrk_threads threads, ${duration}s per run (after a 2 s warm-up)"
run "token (direct)" "$direct" /token "$work/token.lua"
run "token (nginx)" "$front" /token "$work/token.lua"
run "introspect (direct)" "$direct" /introspect "$work/introspect.lua"
run "introspect (nginx)" "$front" /introspect "$work/introspect.lua"
run "jwks (direct)" "$direct" /jwks ""
run "jwks (nginx)" "$front" /jwks ""

echo "== ratios to the RSA-2048 sign rate ($sign_rate/s on one core)"
for path in direct nginx; do
  awk -v r="${rate[token ($path)]}" -v c="${rate[token ($path).cpu]}" -v s="$sign_rate" -v p="$path" \
    'BEGIN { printf "token (%s): %.2f × sign rate in tokens/s; %.2f × in tokens per server CPU-second\n", p, r / s, c / s }'
done
echo "machine: $(nproc) cores shared by wrk, nginx, PostgreSQL and keyward; load average $(cut -d' ' -f1-3 /proc/loadavg)"
