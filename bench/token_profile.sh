#!/usr/bin/env bash
# Where the CPU of one request goes, measured so that other load on the machine does not
# change the figures: `keyward serve` (Release build, as token_bench.sh) runs under
# valgrind --tool=callgrind while one keep-alive connection sends BENCH_REQUESTS requests
# (after 20 unmeasured ones), and the script prints the instructions per request, split by
# library and by function (bench/callgrind_summary.py; `callgrind_annotate --inclusive=yes`
# on a kept file gives the call tree). Then, without valgrind, strace counts the system calls per
# request of the same sequence. Prints figures; never passes or fails on them.
#
#   bench/token_profile.sh [token|introspect|jwks|jwks304|discovery]...   (default: token)
# (jwks304: /jwks revalidated with If-None-Match)
#
# Settings: BENCH_REQUESTS (default 200), BENCH_TOP (functions listed, default 25),
# KEYWARD_THREADS/KEYWARD_WORKERS (default 2/2), KEYWARD_LOG_LEVEL (default info),
# BENCH_EVENTS (KEYWARD_EVENTS=off|on; unset: the server's default), BENCH_BUILD_DIR,
# BENCH_PROFILE_DIR (keeps the callgrind files there).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

requests=${BENCH_REQUESTS:-200}
top=${BENCH_TOP:-25}
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(token)

bench_require valgrind callgrind_control strace openssl psql python3
bench_build_keyward
bench_setup
bench_clients

# One keep-alive connection, requests sent one after another; exits non-zero on a non-2xx.
cat >"$bench_work/drive.py" <<'PY'
import http.client, sys
host, port, method, path, auth, body, count = sys.argv[1:8]
conn = http.client.HTTPConnection(host, int(port))
headers = dict([sys.argv[8].split(": ", 1)]) if len(sys.argv) > 8 else {}
if auth:
    headers["Authorization"] = "Basic " + auth
if body:
    headers["Content-Type"] = "application/x-www-form-urlencoded"
for _ in range(int(count)):
    conn.request(method, path, body=body or None, headers=headers)
    r = conn.getresponse()
    r.read()
    if r.status >= 300 and r.status != 304:
        sys.exit(f"{method} {path}: {r.status}")
PY

drive() { # kind count
  local host=127.0.0.1 port=${KEYWARD_LISTEN##*:}
  case $1 in
    token) python3 "$bench_work/drive.py" $host "$port" POST /token "$svc_basic" \
      grant_type=client_credentials "$2" ;;
    introspect) python3 "$bench_work/drive.py" $host "$port" POST /introspect "$rs_basic" \
      "token=$token" "$2" ;;
    jwks) python3 "$bench_work/drive.py" $host "$port" GET /jwks "" "" "$2" ;;
    jwks304) python3 "$bench_work/drive.py" $host "$port" GET /jwks "" "" "$2" \
      "If-None-Match: $(curl -s -D - -o /dev/null "$direct/jwks" |
        awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }')" ;;
    discovery) python3 "$bench_work/drive.py" $host "$port" GET \
      /.well-known/openid-configuration "" "" "$2" ;;
    *) echo "token_profile: unknown kind $1" >&2; exit 2 ;;
  esac
}

echo "== callgrind: keyward serve (threads $KEYWARD_THREADS, workers $KEYWARD_WORKERS, log $KEYWARD_LOG_LEVEL, events ${KEYWARD_EVENTS:-default})"
keyward_start valgrind --tool=callgrind --callgrind-out-file="$bench_work/callgrind.%p" \
  --dump-instr=no --separate-threads=no
token=$(curl -sf -H "Authorization: Basic $svc_basic" -d grant_type=client_credentials \
  "$direct/token" | bench_json_field access_token)
for kind in "${kinds[@]}"; do
  drive "$kind" 20
  callgrind_control -z "$keyward_pid" >/dev/null
  drive "$kind" "$requests"
  callgrind_control -d "$kind" "$keyward_pid" >/dev/null
  sleep 1
  dump=$(ls -t "$bench_work"/callgrind.*.* 2>/dev/null | head -n1)
  total=$(awk '/^summary:/ { print $2 } /^totals:/ { print $2 }' "$dump" | head -n1)
  echo "== $kind"
  python3 "$repo/bench/callgrind_summary.py" "$dump" "$requests" "$top"
  if [ -n "${BENCH_PROFILE_DIR:-}" ]; then cp "$dump" "$BENCH_PROFILE_DIR/callgrind.$kind"; fi
done
keyward_stop

echo "== strace: system calls per request (keyward without valgrind)"
keyward_start
for kind in "${kinds[@]}"; do
  drive "$kind" 20
  # -p attaches every thread of the server (reactors, workers, the key manager's).
  strace -f -c -o "$bench_work/strace.$kind" -p "$keyward_pid" 2>/dev/null &
  strace_pid=$!
  sleep 1
  drive "$kind" "$requests"
  sleep 0.5
  kill -INT "$strace_pid"
  wait "$strace_pid" 2>/dev/null || true
  echo "-- $kind: calls per request by system call"
  # strace -c: % time, seconds, usecs/call, calls, [errors], syscall; the total line has no
  # usecs/call.
  awk -v n="$requests" '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%8.2f  %s\n", $4 / n, $NF }' \
    "$bench_work/strace.$kind" | sort -rn | head -n 12 || true
  awk -v n="$requests" '$1 ~ /^[0-9.]+$/ && $NF != "total" { calls += $4 }
    END { printf "%8.2f  in all\n", calls / n }' "$bench_work/strace.$kind"
done
