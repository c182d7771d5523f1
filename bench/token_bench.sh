#!/usr/bin/env bash
# Token-endpoint benchmark. Prints figures; never passes or fails on them.
#
# Starts its own PostgreSQL (scripts/pg.sh in a temporary KEYWARD_PG_DIR on a free port),
# `keyward serve` from the Release build in build/release (built if missing), nginx through
# scripts/frontdoor.sh, and node-oidc-provider (bench/oidc_provider_peer.mjs, from
# tests/js/node_modules) as the peer; registers a client-credentials client and a resource
# server; then, with wrk at 32 connections, prints for each run req/s, p50/p99, non-2xx and
# the server's CPU time per request (from /proc/<pid>/stat before and after: the figure the
# shared cores disturb least):
#   - openssl speed's single-core sign cost for RSA-2048, P-256 and Ed25519 (the floors);
#   - client-credentials RS256 tokens, directly and through nginx;
#   - introspection of a live access token by an authenticated resource server;
#   - JWKS (a plain GET and a revalidation with If-None-Match) and discovery;
#   - the same four against node-oidc-provider, and BENCH_ROUNDS alternating token rounds
#     (keyward, peer, keyward, peer, …) so that both see the same machine;
#   - client-credentials tokens after `keyward keys rotate --alg ES256`, then after
#     `keyward keys rotate --alg EdDSA` (Ed25519);
# and a summary: Keyward's CPU per token against one RSA signature, and its throughput
# against the peer's.
#
# Settings (environment): BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS
# (32), BENCH_WRK_THREADS (2), BENCH_ROUNDS (alternating token rounds, 3), BENCH_PEER (1; 0
# skips node-oidc-provider), BENCH_NGINX (1; 0 skips the runs through nginx), BENCH_ES256 (1),
# BENCH_EDDSA (1), BENCH_EVENTS (off|on: passed as KEYWARD_EVENTS; unset, the server's default),
# KEYWARD_THREADS and KEYWARD_WORKERS (passed to serve, default 2 and 2), KEYWARD_LOG_LEVEL
# (default info: one access-log line per request, written to a file, as in production),
# BENCH_BUILD_DIR (default build/release).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

rounds=${BENCH_ROUNDS:-3}
use_peer=${BENCH_PEER:-1}
use_nginx=${BENCH_NGINX:-1}
use_es256=${BENCH_ES256:-1}
use_eddsa=${BENCH_EDDSA:-1}

bench_require wrk nginx openssl psql python3 curl
bench_build_keyward

nginx_port=$(bench_free_port)
[ "$use_nginx" = 1 ] && export KEYWARD_ISSUER=http://127.0.0.1:$nginx_port
bench_setup
bench_clients
stop_nginx() { bash "$repo/scripts/frontdoor.sh" stop "$bench_work/nginx" >/dev/null 2>&1; }
bench_cleanup_hooks+=(stop_nginx)

echo "== machine: $(nproc) cores shared by wrk, nginx, PostgreSQL, node and keyward; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== openssl speed -seconds ${BENCH_OPENSSL_SECONDS:-5} (one core): the signature floors"
declare -A floor_rate floor_us
for alg in rsa2048 ecdsap256 ed25519; do
  floor_rate[$alg]=$(openssl_sign_rate "$alg")
  floor_us[$alg]=$(awk -v r="${floor_rate[$alg]}" 'BEGIN { printf "%.1f", 1e6 / r }')
  printf '%-10s %9s sign/s = %6s µs per signature\n' "$alg" "${floor_rate[$alg]}" "${floor_us[$alg]}"
done

echo "== keyward serve (threads $KEYWARD_THREADS, workers $KEYWARD_WORKERS, log $KEYWARD_LOG_LEVEL, events ${KEYWARD_EVENTS:-server default})"
keyward_start

if [ "$use_nginx" = 1 ]; then
  echo "== nginx front door on 127.0.0.1:$nginx_port"
  # The shipped per-address limits (20 tokens/s, 64 requests in progress) would turn almost
  # every request of one wrk address into a 429: the bench measures keyward, not the limits.
  KEYWARD_FRONTDOOR_CONN_LIMIT=$((${BENCH_CONNECTIONS:-32} + 64)) \
    KEYWARD_FRONTDOOR_TOKEN_RATE=1000000 KEYWARD_FRONTDOOR_TOKEN_BURST=1000000 \
    KEYWARD_FRONTDOOR_INTROSPECT_RATE=1000000 KEYWARD_FRONTDOOR_INTROSPECT_BURST=1000000 \
    bash scripts/frontdoor.sh start "$bench_work/nginx" "127.0.0.1:$nginx_port" \
    "127.0.0.1:$keyward_port" 127.0.0.1:9 >/dev/null
fi
front=http://127.0.0.1:$nginx_port

token=$(curl -sf -H "Authorization: Basic $svc_basic" -d grant_type=client_credentials \
  "$direct/token" | bench_json_field access_token)
bench_post_script "$bench_work/token.lua" grant_type=client_credentials "$svc_basic"
bench_post_script "$bench_work/introspect.lua" "token=$token" "$rs_basic"
jwks_etag=$(curl -sf -D - -o /dev/null "$direct/jwks" | awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }')
cat >"$bench_work/jwks304.lua" <<LUA
wrk.headers["If-None-Match"] = '$jwks_etag'
LUA

# The peer: node-oidc-provider on its own port, one node process.
peer_pid=""
stop_peer() { [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null; }
bench_cleanup_hooks+=(stop_peer)
if [ "$use_peer" = 1 ]; then
  if ! command -v node >/dev/null; then
    echo "== node is missing: no node-oidc-provider comparison"
    use_peer=0
  else
    (cd tests/js && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
    peer_port=$(bench_free_port)
    node bench/oidc_provider_peer.mjs "$peer_port" >"$bench_work/peer.out" 2>"$bench_work/peer.log" &
    peer_pid=$!
    for _ in $(seq 100); do [ -s "$bench_work/peer.out" ] && break; sleep 0.1; done
    peer=http://127.0.0.1:$peer_port
    peer_svc=$(printf 'bench-svc:bench-svc-secret-0123456789abcdef' | base64 -w0)
    peer_rs=$(printf 'bench-rs:bench-rs-secret-0123456789abcdefgh' | base64 -w0)
    # node-oidc-provider will not introspect its JWT access tokens; it introspects opaque
    # ones, looked up in its (in-memory) store.
    peer_token=$(curl -sf -H "Authorization: Basic $peer_svc" -d grant_type=client_credentials \
      -d resource=https://opaque.example -d scope=read "$peer/token" | bench_json_field access_token)
    bench_post_script "$bench_work/peer_token.lua" grant_type=client_credentials "$peer_svc"
    bench_post_script "$bench_work/peer_introspect.lua" "token=$peer_token" "$peer_rs"
    peer_etag=$(curl -sf -D - -o /dev/null "$peer/jwks" | awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }')
    cat >"$bench_work/peer_jwks304.lua" <<LUA
wrk.headers["If-None-Match"] = '$peer_etag'
LUA
    echo "== node-oidc-provider $(node -p "require('./tests/js/node_modules/oidc-provider/package.json').version") (node $(node --version), one process) on $peer"
  fi
fi

declare -A rps us p99
record() { rps[$1]=$r_rps; us[$1]=$r_us; p99[$1]=$r_p99; }

echo "== wrk: ${BENCH_CONNECTIONS:-32} connections, ${BENCH_WRK_THREADS:-2} threads, ${BENCH_DURATION:-10}s per run (after a 2 s warm-up)"
wrk_run "keyward token RS256" "$direct/token" "$bench_work/token.lua" "$keyward_pid"
record k_token
if [ "$use_nginx" = 1 ]; then
  wrk_run "keyward token (nginx)" "$front/token" "$bench_work/token.lua" "$keyward_pid"
fi
wrk_run "keyward introspect" "$direct/introspect" "$bench_work/introspect.lua" "$keyward_pid"
record k_introspect
wrk_run "keyward jwks" "$direct/jwks" "" "$keyward_pid"
record k_jwks
if [ -n "$jwks_etag" ]; then
  wrk_run "keyward jwks (If-None-Match)" "$direct/jwks" "$bench_work/jwks304.lua" "$keyward_pid"
  record k_jwks304
fi
wrk_run "keyward discovery" "$direct/.well-known/openid-configuration" "" "$keyward_pid"
record k_discovery
if [ "$use_peer" = 1 ]; then
  wrk_run "peer token RS256" "$peer/token" "$bench_work/peer_token.lua" "$peer_pid"
  record p_token
  wrk_run "peer introspect (opaque)" "$peer/token/introspection" "$bench_work/peer_introspect.lua" "$peer_pid"
  record p_introspect
  wrk_run "peer jwks" "$peer/jwks" "" "$peer_pid"
  record p_jwks
  if [ -n "$peer_etag" ]; then
    wrk_run "peer jwks (If-None-Match)" "$peer/jwks" "$bench_work/peer_jwks304.lua" "$peer_pid"
    record p_jwks304
  fi
  wrk_run "peer discovery" "$peer/.well-known/openid-configuration" "" "$peer_pid"
  record p_discovery

  echo "== $rounds alternating token rounds (keyward, then the peer)"
  ratios=()
  for round in $(seq "$rounds"); do
    wrk_run "round $round keyward" "$direct/token" "$bench_work/token.lua" "$keyward_pid"
    k=$r_rps
    wrk_run "round $round peer" "$peer/token" "$bench_work/peer_token.lua" "$peer_pid"
    ratios+=("$(awk -v k="$k" -v p="$r_rps" 'BEGIN { printf "%.2f", k / p }')")
    echo "round $round: keyward / peer = ${ratios[-1]}× (load average $(cut -d' ' -f1 /proc/loadavg))"
  done
  median_ratio=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
fi

# `keyward keys rotate --alg ALG` with no publication delay, client-credentials tokens until
# one is signed with ALG (at most 20 s), then the token run, recorded as k_token_<record>.
rotate_and_measure() {
  local alg=$1 record_as=$2 signed=0
  echo "== $alg: keyward keys rotate --alg $alg with no publication delay"
  KEYWARD_KEY_PUBLICATION_DELAY=0 "$keyward" keys rotate --alg "$alg" >/dev/null
  for _ in $(seq 100); do
    header=$(curl -sf -H "Authorization: Basic $svc_basic" -d grant_type=client_credentials \
      "$direct/token" | bench_json_field access_token | cut -d. -f1)
    if python3 -c 'import base64, json, sys; h = sys.argv[1]; h += "=" * (-len(h) % 4); sys.exit(json.loads(base64.urlsafe_b64decode(h))["alg"] != sys.argv[2])' "$header" "$alg"; then
      signed=1
      break
    fi
    sleep 0.2
  done
  if [ "$signed" = 1 ]; then
    wrk_run "keyward token $alg" "$direct/token" "$bench_work/token.lua" "$keyward_pid"
    record "k_token_$record_as"
  else
    echo "the $alg key did not start signing within 20 s"
  fi
}

if [ "$use_es256" = 1 ]; then rotate_and_measure ES256 es256; fi
if [ "$use_eddsa" = 1 ]; then rotate_and_measure EdDSA eddsa; fi

# The floor again, so that a change in the machine's load during the run shows.
rsa_end=$(openssl_sign_rate rsa2048)
rsa_end_us=$(awk -v r="$rsa_end" 'BEGIN { printf "%.1f", 1e6 / r }')
rsa_mean_us=$(awk -v a="${floor_us[rsa2048]}" -v b="$rsa_end_us" 'BEGIN { printf "%.1f", (a + b) / 2 }')
echo "== summary (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "RSA-2048 floor: ${floor_us[rsa2048]} µs per signature at the start, $rsa_end_us µs at the end (mean $rsa_mean_us µs)"
awk -v u="${us[k_token]}" -v f="$rsa_mean_us" 'BEGIN {
  printf "RS256 token: %s µs server CPU per token = %.2f × one RSA-2048 signature (%s µs)\n", u, u / f, f }'
if [ -n "${us[k_token_es256]:-}" ]; then
  awk -v u="${us[k_token_es256]}" -v f="${floor_us[ecdsap256]}" -v r="${rps[k_token_es256]}" -v rr="${rps[k_token]}" 'BEGIN {
    printf "ES256 token: %s µs server CPU per token = %.2f × one P-256 signature (%s µs); %s tokens/s (%.2f × RS256)\n", u, u / f, f, r, r / rr }'
fi
if [ -n "${us[k_token_eddsa]:-}" ]; then
  awk -v u="${us[k_token_eddsa]}" -v f="${floor_us[ed25519]}" -v r="${rps[k_token_eddsa]}" -v rr="${rps[k_token]}" 'BEGIN {
    printf "EdDSA token: %s µs server CPU per token = %.2f × one Ed25519 signature (%s µs); %s tokens/s (%.2f × RS256)\n", u, u / f, f, r, r / rr }'
fi
if [ "$use_peer" = 1 ]; then
  for kind in token introspect jwks jwks304 discovery; do
    [ -n "${rps[k_$kind]:-}" ] && [ -n "${rps[p_$kind]:-}" ] || continue
    awk -v n="$kind" -v k="${rps[k_$kind]}" -v p="${rps[p_$kind]}" -v ku="${us[k_$kind]}" -v pu="${us[p_$kind]}" 'BEGIN {
      printf "%-11s keyward %9s req/s, %5s µs CPU/req | peer %9s req/s, %5s µs CPU/req | %.2f× the rate, %.2f× less CPU\n", n, k, ku, p, pu, k / p, pu / ku }'
  done
  echo "alternating token rounds: keyward / peer = ${ratios[*]} (median ${median_ratio}×)"
fi
