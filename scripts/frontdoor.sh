#!/usr/bin/env bash
# Starts or stops nginx in front of keyward, from docker/nginx/nginx.conf.template.
#   scripts/frontdoor.sh start STATE_DIR LISTEN KEYWARD_ADDR RS_ADDR
#   scripts/frontdoor.sh stop  STATE_DIR
# Used by scripts/run.sh, the front-door tests and the benchmarks, so that all of
# them exercise the same configuration we ship.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || {
  echo "usage: scripts/frontdoor.sh start STATE_DIR LISTEN KEYWARD_ADDR RS_ADDR | stop STATE_DIR" >&2
  exit 2
}
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

case "$cmd" in
  start)
    listen=$3 keyward=$4 rs=$5
    stop
    mkdir -p "$state"
    state=$(cd "$state" && pwd)
    user=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then user="nobody nogroup"; fi
    for d in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$state/$d"; done
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$state"/{client_body,proxy,fastcgi,uwsgi,scgi}
    sed -e "s#@LISTEN@#$listen#g" -e "s#@KEYWARD@#$keyward#g" -e "s#@RS@#$rs#g" \
      -e "s#@STATE_DIR@#$state#g" -e "s#@USER@#$user#g" \
      "$repo/docker/nginx/nginx.conf.template" >"$state/nginx.conf"
    "$nginx_bin" -t -q -c "$state/nginx.conf" -p "$state" -e "$state/error.log"
    "$nginx_bin" -c "$state/nginx.conf" -p "$state" -e "$state/error.log"
    for _ in $(seq 50); do [ -s "$state/nginx.pid" ] && break; sleep 0.1; done
    echo "frontdoor: nginx on $listen -> keyward $keyward, resource server $rs"
    ;;
  stop) stop ;;
  *)
    echo "usage: scripts/frontdoor.sh start|stop ..." >&2
    exit 2
    ;;
esac
