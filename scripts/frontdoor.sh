#!/usr/bin/env bash
# Starts or stops nginx in front of keyward, from docker/nginx/nginx.conf.template.
#   scripts/frontdoor.sh start  STATE_DIR LISTEN KEYWARD_ADDR RS_ADDR
#   scripts/frontdoor.sh stop   STATE_DIR
#   scripts/frontdoor.sh render STATE_DIR LISTEN KEYWARD_ADDR RS_ADDR   (prints the config)
# Used by scripts/run.sh, the front-door tests, the benchmarks and docker/compose.yml, so
# that all of them run the same configuration we ship.
#
# Settings (environment; docs/security.md "The front door" says why each default):
#   KEYWARD_ISSUER                  https://... serves LISTEN over TLS with HSTS; else plain http
#   KEYWARD_FRONTDOOR_TLS_CERT      PEM certificate chain (default /etc/keyward/tls/fullchain.pem)
#   KEYWARD_FRONTDOOR_TLS_KEY       PEM private key       (default /etc/keyward/tls/privkey.pem)
#   KEYWARD_FRONTDOOR_CONN_LIMIT    requests in progress per client address (default 64)
#   KEYWARD_FRONTDOOR_HEADER_TIMEOUT  whole request header, seconds (default 10)
#   KEYWARD_FRONTDOOR_BODY_TIMEOUT  gap between two reads of a body, seconds (default 5)
#   KEYWARD_FRONTDOOR_<ZONE>_RATE / _BURST  requests per second per address and burst, for
#     TOKEN (/token, 20/40), INTROSPECT (/introspect, 100/200), REVOKE (/revoke, 10/20),
#     AUTHORIZE (/authorize, 10/30), LOGIN (/login and the account forms, 5/10)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
state=${2:-}
usage="usage: scripts/frontdoor.sh start|render STATE_DIR LISTEN KEYWARD_ADDR RS_ADDR | stop STATE_DIR"
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "$usage" >&2
  exit 2
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

stop() {
  if [ -f "$state/nginx.pid" ]; then
    pid=$(cat "$state/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$state/nginx.pid"
  fi
}

number() { # NAME DEFAULT: sets REPLY to a positive whole number from the environment
  REPLY=${!1:-$2}
  [[ "$REPLY" =~ ^[1-9][0-9]{0,6}$ ]] || {
    echo "frontdoor: $1 must be a whole number from 1 (got '$REPLY')" >&2
    exit 2
  }
}

render() { # LISTEN KEYWARD RS USER: the configuration on stdout
  local listen=$1 keyward=$2 rs=$3 user=$4 ssl="" tls_sed="s/^#tls/#/" cert key setting
  cert=${KEYWARD_FRONTDOOR_TLS_CERT:-/etc/keyward/tls/fullchain.pem}
  key=${KEYWARD_FRONTDOOR_TLS_KEY:-/etc/keyward/tls/privkey.pem}
  case "${KEYWARD_ISSUER:-}" in
    https://*)
      ssl=" ssl"
      tls_sed="s/^#tls//"
      ;;
  esac
  for path in "$cert" "$key"; do
    [[ "$path" =~ ^[A-Za-z0-9/._-]+$ ]] || {
      echo "frontdoor: TLS paths may hold only letters, digits and / . _ - (got '$path')" >&2
      exit 2
    }
  done
  # Checked here, not inside the sed arguments (a failure there would not stop the script).
  local -a numbers=()
  for setting in CONN_LIMIT:64 HEADER_TIMEOUT:10 BODY_TIMEOUT:5 TOKEN_RATE:20 TOKEN_BURST:40 \
    INTROSPECT_RATE:100 INTROSPECT_BURST:200 REVOKE_RATE:10 REVOKE_BURST:20 \
    AUTHORIZE_RATE:10 AUTHORIZE_BURST:30 LOGIN_RATE:5 LOGIN_BURST:10; do
    number "KEYWARD_FRONTDOOR_${setting%%:*}" "${setting#*:}"
    case "$setting" in *_TIMEOUT:*) REPLY="${REPLY}s" ;; esac
    numbers+=(-e "s#@${setting%%:*}@#$REPLY#g")
  done
  sed -e "s#@LISTEN@#$listen#g" -e "s#@SSL@#$ssl#g" -e "$tls_sed" \
    -e "s#@TLS_CERT@#$cert#g" -e "s#@TLS_KEY@#$key#g" \
    -e "s#@KEYWARD@#$keyward#g" -e "s#@RS@#$rs#g" \
    -e "s#@STATE_DIR@#$state#g" -e "s#@USER@#$user#g" "${numbers[@]}" \
    "$repo/docker/nginx/nginx.conf.template"
}

case "$cmd" in
  render)
    [ $# -eq 5 ] || { echo "$usage" >&2; exit 2; }
    render "$3" "$4" "$5" "${KEYWARD_FRONTDOOR_USER:-$(id -un)}"
    ;;
  start)
    [ $# -eq 5 ] || { echo "$usage" >&2; exit 2; }
    listen=$3 keyward=$4 rs=$5
    stop
    mkdir -p "$state"
    state=$(cd "$state" && pwd)
    user=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then user="nobody nogroup"; fi
    for d in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$state/$d"; done
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$state"/{client_body,proxy,fastcgi,uwsgi,scgi}
    render "$listen" "$keyward" "$rs" "$user" >"$state/nginx.conf"
    "$nginx_bin" -t -q -c "$state/nginx.conf" -p "$state" -e "$state/error.log"
    "$nginx_bin" -c "$state/nginx.conf" -p "$state" -e "$state/error.log"
    for _ in $(seq 50); do [ -s "$state/nginx.pid" ] && break; sleep 0.1; done
    scheme=http
    case "${KEYWARD_ISSUER:-}" in https://*) scheme=https ;; esac
    echo "frontdoor: nginx on $scheme://$listen -> keyward $keyward, resource server $rs"
    ;;
  stop) stop ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
