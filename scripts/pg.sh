#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests: no system service.
#   scripts/pg.sh start|stop|status|url
# Settings (environment):
#   KEYWARD_PG_DIR   the cluster's folder        (default: <repo>/.data/pg)
#   KEYWARD_PG_PORT  loopback TCP port and socket (default: 54329)
# The cluster listens on a unix socket inside KEYWARD_PG_DIR/run and on
# 127.0.0.1:PORT. Only the owner may connect through the socket; TCP requires
# the password that `start` generated into KEYWARD_PG_DIR/password.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${KEYWARD_PG_DIR:-$repo/.data/pg}
port=${KEYWARD_PG_PORT:-54329}
data=$dir/data
run=$dir/run
log=$dir/postgres.log
db=keyward
user=keyward

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [ -z "$pgbin" ]; then
  echo "pg.sh: PostgreSQL server binaries not found; run scripts/bootstrap.sh" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# unprivileged 'postgres' account that Debian's package creates.
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

url() {
  printf 'host=%s port=%s dbname=%s user=%s\n' "$run" "$port" "$db" "$user"
}

running() {
  [ -f "$data/postmaster.pid" ] && as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
  mkdir -p "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data" "$run"
    chown "$owner" "$dir" "$data" "$run"
    chmod 700 "$data"
    as_owner "$pgbin/initdb" -D "$data" -U "$owner" --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      echo "pg.sh: initdb failed, see $dir/initdb.log" >&2
      exit 1
    }
    # Map the invoking account (root or the developer) to the keyward role on the socket.
    printf 'keyward %s %s\nkeyward %s %s\n' "$(id -un)" "$user" "$owner" "$user" >>"$data/pg_ident.conf"
    cat >"$data/pg_hba.conf" <<HBA
local all $owner peer
local all $user peer map=keyward
host  all all 127.0.0.1/32 scram-sha-256
HBA
  fi
  if running; then
    echo "pg.sh: already running on port $port"
    return 0
  fi
  as_owner "$pgbin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $run -c fsync=off -c full_page_writes=off" \
    start >/dev/null || {
    echo "pg.sh: PostgreSQL did not start, see $log" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
  }
  # Role and database, once.
  if ! as_owner psql -h "$run" -p "$port" -U "$owner" -d postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname='$user'" | grep -q 1; then
    if [ ! -f "$dir/password" ]; then
      (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/password")
    fi
    as_owner psql -q -h "$run" -p "$port" -U "$owner" -d postgres \
      -c "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$(cat "$dir/password")'" \
      -c "CREATE DATABASE $db OWNER $user" >/dev/null
  fi
  echo "pg.sh: running on port $port (socket in $run)"
}

stop() {
  if running; then
    as_owner "$pgbin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null
    echo "pg.sh: stopped"
  else
    echo "pg.sh: not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running on port $port"; else echo "stopped"; exit 3; fi ;;
  url) url ;;
  *)
    echo "usage: scripts/pg.sh start|stop|status|url" >&2
    exit 2
    ;;
esac
