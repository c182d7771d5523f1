#!/usr/bin/env bash
# Sample resource server benchmark. Prints figures; never passes or fails on them.
#
# Starts its own PostgreSQL (scripts/pg.sh in a temporary KEYWARD_PG_DIR on a free port),
# `keyward serve` and `keyward-sample-rs` from the Release build in build/release (built if
# missing) and nginx through scripts/frontdoor.sh; registers a password-grant client and a user,
# gets one access token, then with wrk measures GET /api/me (token verification + one
# PostgreSQL read of the user's note) directly and through nginx, with the verified-token cache
# on (the default: one RSA verification per token) and off (one RSA verification per request).
# For each run it prints the resource server's CPU time per request from /proc/<pid>/stat, and
# in the same run `openssl speed -seconds 5 rsa2048`'s single-core verify rate, the floor of a
# verification without the cache.
#
# Settings (environment): BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS
# (32), BENCH_WRK_THREADS (2), KEYWARD_RS_THREADS and KEYWARD_RS_WORKERS (default 2 and 2),
# BENCH_BUILD_DIR (default build/release; any build dir with both binaries).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
wrk_threads=${BENCH_WRK_THREADS:-2}
build=${BENCH_BUILD_DIR:-$repo/build/release}

for tool in wrk nginx openssl python3 curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
    echo "rs_bench: $tool is missing; run scripts/bootstrap.sh" >&2
    exit 1
  }
done

if [ ! -x "$build/server/keyward" ] || [ ! -x "$build/resource_server/keyward-sample-rs" ]; then
  echo "== building keyward and keyward-sample-rs (Release) in $build"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEYWARD_BUILD_TESTS=OFF \
    >/dev/null
  cmake --build "$build" --target keyward keyward-sample-rs
fi
keyward=$build/server/keyward
sample_rs=$build/resource_server/keyward-sample-rs

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work=$(mktemp -d /tmp/keyward-rs-bench.XXXXXX)
chmod 755 "$work"
export KEYWARD_PG_DIR=$work/pg
export KEYWARD_PG_PORT
KEYWARD_PG_PORT=$(free_port)
pids=()
cleanup() {
  for pid in "${pids[@]+"${pids[@]}"}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
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
rs_port=$(free_port)
nginx_port=$(free_port)
export KEYWARD_LISTEN=127.0.0.1:$keyward_port
export KEYWARD_ISSUER=http://127.0.0.1:$nginx_port
export KEYWARD_ARGON2_MEMORY_KIB=7168 KEYWARD_ARGON2_ITERATIONS=5
# The bench's client takes a token with the password grant, off by default (RFC 9700 §2.4).
export KEYWARD_PASSWORD_GRANT=true

"$keyward" migrate >/dev/null
json_field() { python3 -c 'import json, sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }
app=$("$keyward" client create --name bench-app --grant-types password --first-party \
  --scopes "api:read" --audience keyward-sample-rs 2>/dev/null)
app_id=$(json_field client_id <<<"$app")
app_secret=$(json_field client_secret <<<"$app")
password=$(openssl rand -hex 16)
printf '%s\n' "$password" | "$keyward" user create --username bench --password-stdin >/dev/null

"$keyward" serve >"$work/keyward.log" 2>&1 &
pids+=($!)
direct_kw=http://127.0.0.1:$keyward_port
wait_ready() { # url log
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/health/ready")" = 200 ] && return 0
    sleep 0.1
  done
  echo "rs_bench: $1 did not become ready" >&2
  tail -n 20 "$2" >&2
  exit 1
}
wait_ready "$direct_kw" "$work/keyward.log"
echo "== nginx front door on 127.0.0.1:$nginx_port"
# /api/ has no request-rate limit; the per-address limit on requests in progress must
# leave room for every wrk connection.
KEYWARD_FRONTDOOR_CONN_LIMIT=$((connections + 64)) \
  bash scripts/frontdoor.sh start "$work/nginx" "127.0.0.1:$nginx_port" "127.0.0.1:$keyward_port" \
  "127.0.0.1:$rs_port" >/dev/null
front=http://127.0.0.1:$nginx_port

token=$(curl -sf -u "$app_id:$app_secret" -d grant_type=password -d username=bench \
  --data-urlencode "password=$password" -d scope=api:read "$direct_kw/token" |
  json_field access_token)

rs_pid=""
start_rs() { # token-cache-size
  if [ -n "$rs_pid" ]; then
    kill -TERM "$rs_pid"
    wait "$rs_pid" 2>/dev/null || true
  fi
  KEYWARD_RS_LISTEN=127.0.0.1:$rs_port KEYWARD_RS_ISSUER=$KEYWARD_ISSUER \
    KEYWARD_RS_DATABASE_URL=$KEYWARD_DATABASE_URL KEYWARD_RS_TOKEN_CACHE_SIZE=$1 \
    KEYWARD_RS_THREADS=${KEYWARD_RS_THREADS:-2} KEYWARD_RS_WORKERS=${KEYWARD_RS_WORKERS:-2} \
    "$sample_rs" >"$work/rs.log" 2>&1 &
  rs_pid=$!
  pids+=("$rs_pid")
  wait_ready "http://127.0.0.1:$rs_port" "$work/rs.log"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$rs_port/api/me")" = 200 ] || {
    echo "rs_bench: GET /api/me with the token is not 200" >&2
    tail -n 20 "$work/rs.log" >&2
    exit 1
  }
}

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

declare -A rate
run() { # name url
  local name=$1 url=$2 out before after
  wrk -t"$wrk_threads" -c"$connections" -d2s -H "Authorization: Bearer $token" "$url/api/me" \
    >/dev/null
  before=$(cpu_ticks "$rs_pid")
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency \
    -H "Authorization: Bearer $token" "$url/api/me")
  after=$(cpu_ticks "$rs_pid")
  local requests rps p50 p99 non2xx cpu per_cpu us
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  cpu=$(awk -v a="$after" -v b="$before" -v t="$ticks" 'BEGIN { printf "%.2f", (a - b) / t }')
  per_cpu=$(awk -v r="$requests" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "n/a" }')
  us=$(awk -v r="$requests" -v c="$cpu" 'BEGIN { if (r > 0) printf "%.0f", c * 1e6 / r; else print "n/a" }')
  rate[$name]=$rps
  rate[$name.cpu]=$per_cpu
  printf '%-34s %9s req/s  p50 %-9s p99 %-9s non-2xx %-6s RS CPU %6ss = %5s µs/req (%s req per CPU-s)\n' \
    "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "$cpu" "$us" "$per_cpu"
  if [ -n "$non2xx" ]; then
    # Where they came from: the resource server's access log, then nginx's.
    printf '%-34s RS statuses: %s; nginx statuses: %s\n' "" \
      "$(grep -o '"status":[0-9]*' "$work/rs.log" | sort | uniq -c | tr -s ' \n' ' ')" \
      "$(awk '{ print $5 }' "$work/nginx/access.log" 2>/dev/null | sort | uniq -c | tr -s ' \n' ' ')"
    grep -E '"level":"(warn|error)"' "$work/rs.log" | tail -n 3 | cut -c1-300 | sed 's/^/    /'
  fi
}

echo "== openssl speed -seconds 5 rsa2048 (one core)"
speed=$(openssl speed -seconds 5 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/')
sign_rate=$(awk '{ print $(NF - 1) }' <<<"$speed")
verify_rate=$(awk '{ print $NF }' <<<"$speed")
echo "RSA-2048 single core: $sign_rate sign/s, $verify_rate verify/s"

echo "== wrk GET /api/me: $connections connections, $wrk_threads threads, ${duration}s per run"
start_rs 10000
run "token cache on (direct)" "http://127.0.0.1:$rs_port"
run "token cache on (nginx)" "$front"
start_rs 0
run "token cache off (direct)" "http://127.0.0.1:$rs_port"
run "token cache off (nginx)" "$front"

echo "== ratios to the RSA-2048 verify rate ($verify_rate/s on one core)"
for name in "token cache off (direct)" "token cache on (direct)"; do
  awk -v r="${rate[$name]}" -v c="${rate[$name.cpu]}" -v v="$verify_rate" -v n="$name" \
    'BEGIN { printf "%s: %.3f × verify rate in req/s; %.3f × in req per RS CPU-second\n", n, r / v, c / v }'
done
echo "machine: $(nproc) cores shared by wrk, nginx, PostgreSQL, keyward and the resource server; load average $(cut -d' ' -f1-3 /proc/loadavg)"
