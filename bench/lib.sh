# Shared by the benches (sourced, not run): a private PostgreSQL on a free port, keyward from
# the Release build in build/release (BENCH_BUILD_DIR to use another), the benchmark clients,
# and wrk runs that read a server's CPU time from /proc around the measured run.
# The caller sets `repo` and has `set -euo pipefail`.

bench_build=${BENCH_BUILD_DIR:-$repo/build/release}
keyward=$bench_build/server/keyward
bench_work=""
keyward_pid=""
bench_ticks=$(getconf CLK_TCK)

bench_require() { # tool...
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
      echo "bench: $tool is missing; run scripts/bootstrap.sh" >&2
      exit 1
    }
  done
}

bench_build_keyward() {
  if [ ! -x "$keyward" ]; then
    echo "== building keyward (Release) in $bench_build"
    # GCC 12 at -O3 reports -Wrestrict false positives inside libstdc++'s string code
    # (GCC bug 105329); they are not ours to fix and must not stop a benchmark build.
    cmake -S "$repo" -B "$bench_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DKEYWARD_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS=-Wno-restrict >/dev/null
    cmake --build "$bench_build" --target keyward
  fi
}

bench_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_json_field() { python3 -c 'import json, sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$1"; }

# SIGTERM to keyward; says whether it drained (the drain must not wait for answers to
# clients that have gone).
keyward_stop() {
  if [ -n "$keyward_pid" ] && kill -0 "$keyward_pid" 2>/dev/null; then
    local started=$SECONDS
    kill -TERM "$keyward_pid" 2>/dev/null || true
    wait "$keyward_pid" 2>/dev/null || true
    if grep -q '"drain timed out' "$bench_work/keyward.log"; then
      echo "== keyward stopped in $((SECONDS - started)) s: the drain TIMED OUT"
    else
      echo "== keyward stopped in $((SECONDS - started)) s, drained"
    fi
  fi
  keyward_pid=""
}

bench_cleanup_hooks=()
bench_cleanup() {
  keyward_stop
  local hook
  for hook in "${bench_cleanup_hooks[@]}"; do "$hook" || true; done
  bash "$repo/scripts/pg.sh" stop >/dev/null 2>&1 || true
  [ -n "$bench_work" ] && rm -rf "$bench_work"
}

# A temporary folder, PostgreSQL, the keyward environment, the migrated schema.
bench_setup() {
  bench_work=$(mktemp -d /tmp/keyward-bench.XXXXXX)
  chmod 755 "$bench_work"
  trap bench_cleanup EXIT
  export KEYWARD_PG_DIR=$bench_work/pg
  export KEYWARD_PG_PORT
  KEYWARD_PG_PORT=$(bench_free_port)
  echo "== PostgreSQL (private, port $KEYWARD_PG_PORT)"
  bash "$repo/scripts/pg.sh" start >/dev/null
  KEYWARD_DATABASE_URL=$(bash "$repo/scripts/pg.sh" url)
  export KEYWARD_DATABASE_URL
  KEYWARD_MASTER_KEY=$(openssl rand -hex 32)
  export KEYWARD_MASTER_KEY
  export KEYWARD_DATA_DIR=$bench_work/data
  export KEYWARD_MIGRATIONS_DIR=$repo/migrations
  export KEYWARD_TEMPLATES_DIR=$repo/templates
  keyward_port=$(bench_free_port)
  export KEYWARD_LISTEN=127.0.0.1:$keyward_port
  export KEYWARD_ISSUER=${KEYWARD_ISSUER:-http://127.0.0.1:$keyward_port}
  export KEYWARD_ALLOW_INSECURE_ISSUER=true
  export KEYWARD_THREADS=${KEYWARD_THREADS:-2}
  export KEYWARD_WORKERS=${KEYWARD_WORKERS:-2}
  export KEYWARD_LOG_LEVEL=${KEYWARD_LOG_LEVEL:-info}
  # The audit-event writer (KEYWARD_EVENTS=off|on); unset, the server's default.
  if [ -n "${BENCH_EVENTS:-}" ]; then export KEYWARD_EVENTS=$BENCH_EVENTS; fi
  direct=http://127.0.0.1:$keyward_port
  "$keyward" migrate >/dev/null
}

# A client-credentials client (svc: scopes read write, audience https://api.example) and a
# resource server allowed to introspect (rs), as Basic credentials.
bench_clients() {
  local svc rs
  svc=$("$keyward" client create --name bench-svc --grant-types client_credentials \
    --scopes "read write" --audience https://api.example 2>/dev/null)
  rs=$("$keyward" client create --name bench-rs --grant-types client_credentials \
    --scopes "introspect" --introspect 2>/dev/null)
  svc_basic=$(printf '%s:%s' "$(bench_json_field client_id <<<"$svc")" \
    "$(bench_json_field client_secret <<<"$svc")" | base64 -w0)
  rs_basic=$(printf '%s:%s' "$(bench_json_field client_id <<<"$rs")" \
    "$(bench_json_field client_secret <<<"$rs")" | base64 -w0)
}

# keyward serve in the background (optionally under a wrapper command such as valgrind),
# waiting until /health/ready answers 200.
keyward_start() { # [wrapper...]
  "$@" "$keyward" serve >"$bench_work/keyward.log" 2>&1 &
  keyward_pid=$!
  local _
  for _ in $(seq 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$direct/health/ready")" = 200 ] && return 0
    kill -0 "$keyward_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: keyward did not become ready" >&2
  tail -n 20 "$bench_work/keyward.log" >&2
  exit 1
}

# utime + stime of every thread of a process, in clock ticks (proc(5) fields 14, 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sys_ticks() { awk '{ print $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# wrk body scripts.
bench_post_script() { # file body authorization
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = "$2"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $3"
LUA
}

# One measured wrk run (after a 2 s warm-up) against a server whose CPU is read from
# /proc/<pid>; prints one line and leaves its figures in r_rps, r_p50, r_p99, r_non2xx, r_us
# (server CPU µs per request), r_sys_us (of which in the kernel), r_per_cpu (requests per server CPU-second), r_requests.
# extra_pid_ticks, if set to a function name, adds CPU of other processes (nginx) as "+ name".
wrk_run() { # name url script server_pid
  local name=$1 url=$2 script=$3 pid=$4 out before after cpu errors
  local connections=${BENCH_CONNECTIONS:-32} threads=${BENCH_WRK_THREADS:-2}
  local duration=${BENCH_DURATION:-10}
  wrk -t"$threads" -c"$connections" -d2s ${script:+-s "$script"} "$url" >/dev/null
  before=$(cpu_ticks "$pid")
  local sys_before sys_after
  sys_before=$(sys_ticks "$pid")
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency ${script:+-s "$script"} "$url")
  after=$(cpu_ticks "$pid")
  sys_after=$(sys_ticks "$pid")
  r_requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  r_rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  r_p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  r_p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  r_non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  r_non2xx=${r_non2xx:-0}
  errors=$(awk '/Socket errors/ { print $0 }' <<<"$out" | sed 's/^ *//')
  cpu=$(awk -v a="$after" -v b="$before" -v t="$bench_ticks" 'BEGIN { printf "%.2f", (a - b) / t }')
  r_per_cpu=$(awk -v r="$r_requests" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "n/a" }')
  r_us=$(awk -v r="$r_requests" -v c="$cpu" 'BEGIN { if (r > 0) printf "%.0f", c * 1e6 / r; else print "n/a" }')
  r_sys_us=$(awk -v r="$r_requests" -v a="$sys_after" -v b="$sys_before" -v t="$bench_ticks" \
    'BEGIN { if (r > 0) printf "%.0f", (a - b) / t * 1e6 / r; else print "n/a" }')
  printf '%-30s %9s req/s  p50 %-8s p99 %-8s non-2xx %-6s server CPU %6ss = %5s µs/req (kernel %s; %s per CPU-s)\n' \
    "$name" "$r_rps" "$r_p50" "$r_p99" "$r_non2xx" "$cpu" "$r_us" "$r_sys_us" "$r_per_cpu"
  [ -n "$errors" ] && printf '%-30s %s\n' "" "$errors"
  return 0
}

# openssl's single-core signing rate for one algorithm (rsa2048, ecdsap256, ed25519).
openssl_sign_rate() { # algorithm
  local out
  out=$(openssl speed -seconds "${BENCH_OPENSSL_SECONDS:-5}" "$1" 2>/dev/null)
  case $1 in
    rsa2048) awk '/^rsa 2048 bits/ { for (i = 4; i <= NF; i++) if ($i !~ /s$/) { print $i; exit } }' <<<"$out" ;;
    ecdsap256) awk '/^ *256 bits ecdsa \(nistp256\)/ { print $(NF - 1); exit }' <<<"$out" ;;
    ed25519) awk '/^ *253 bits EdDSA \(Ed25519\)/ { print $(NF - 1); exit }' <<<"$out" ;;
  esac
}
