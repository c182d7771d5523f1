#!/usr/bin/env bash
# One command to try Keyward on this machine: installs what is missing, builds
# (Release), starts a private PostgreSQL, migrates, seeds the demo, and runs
# nginx (the front door) with keyward and the sample resource server behind it.
# Ctrl-C stops everything it started. Running it again reuses the data in .data/.
#
#   KEYWARD_PORT  the front door's port (default 8080); keyward listens on PORT+1,
#                 the sample resource server on PORT+2, the local SMTP sink (which keeps
#                 every account mail in .data/run/mail and prints it) on PORT+3, all on
#                 127.0.0.1.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

port=${KEYWARD_PORT:-8080}
kw_port=$((port + 1))
rs_port=$((port + 2))
smtp_port=$((port + 3))
state=$repo/.data/run
build=$repo/build/release

bash scripts/bootstrap.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEYWARD_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

mkdir -p "$state"
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "run.sh: stopping"
  for pid in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  bash scripts/frontdoor.sh stop "$state/nginx" || true
  bash scripts/pg.sh stop || true
}
trap stop_all INT TERM EXIT

# A previous run that was killed hard may have left processes behind.
for f in "$state"/*.pid; do
  [ -f "$f" ] || continue
  kill -TERM "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
done

bash scripts/pg.sh start
export KEYWARD_DATABASE_URL="$(bash scripts/pg.sh url)"
export KEYWARD_ISSUER="http://localhost:$port"
export KEYWARD_LISTEN="127.0.0.1:$kw_port"
export KEYWARD_DATA_DIR="$repo/.data"
export KEYWARD_MIGRATIONS_DIR="$repo/migrations"
export KEYWARD_TEMPLATES_DIR="$repo/templates"
# The demo (scripts/demo.sh) signs its user in with the password grant, which is off by
# default (RFC 9700 §2.4); its client is confidential and first-party (scripts/seed-demo.sh).
export KEYWARD_PASSWORD_GRANT="${KEYWARD_PASSWORD_GRANT:-true}"

# Account mails (verification, password reset) go to a local sink that keeps them as JSON
# files and prints them to its log: nothing leaves this machine.
/usr/bin/python3 scripts/mail-sink.py --dir "$state/mail" --listen "127.0.0.1:$smtp_port" \
  --print >>"$state/mail.log" 2>&1 &
pids+=($!)
echo $! >"$state/mail-sink.pid"
export KEYWARD_SMTP_URL="${KEYWARD_SMTP_URL:-smtp://127.0.0.1:$smtp_port}"
export KEYWARD_REGISTRATION="${KEYWARD_REGISTRATION:-open}"

"$build/server/keyward" migrate

if [ -x scripts/seed-demo.sh ]; then
  bash scripts/seed-demo.sh "$build" "$state"
fi

"$build/server/keyward" serve >>"$state/keyward.log" 2>&1 &
pids+=($!)
echo $! >"$state/keyward.pid"

bash scripts/frontdoor.sh start "$state/nginx" "127.0.0.1:$port" "127.0.0.1:$kw_port" "127.0.0.1:$rs_port"

base="http://localhost:$port"
for _ in $(seq 100); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done

# The sample resource server finds keyward's JWKS through discovery at the issuer (the front
# door), so it starts once keyward is ready behind nginx.
if [ -x "$build/resource_server/keyward-sample-rs" ]; then
  KEYWARD_RS_LISTEN="127.0.0.1:$rs_port" KEYWARD_RS_ISSUER="$KEYWARD_ISSUER" \
    KEYWARD_RS_DATABASE_URL="$KEYWARD_DATABASE_URL" \
    "$build/resource_server/keyward-sample-rs" >>"$state/resource-server.log" 2>&1 &
  pids+=($!)
  echo $! >"$state/resource-server.pid"
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$rs_port/health/ready" >/dev/null 2>&1 && break
    sleep 0.1
  done
fi

cat <<MSG

  Keyward is running behind nginx at $base

    curl -i $base/health/ready
    curl -s $base/.well-known/openid-configuration
    curl -s $base/jwks

  Accounts: create one at $base/signup, manage it at $base/account; forgotten
  passwords at $base/recover. The mails (verification and reset links) are not sent
  anywhere: read them with

    tail -f $state/mail.log          (or the JSON files in $state/mail/)

  Logs: $state/keyward.log (one JSON line per request), $state/resource-server.log,
        $state/nginx/access.log
MSG
if [ -f "$state/demo.txt" ]; then cat "$state/demo.txt"; fi
cat <<MSG

  Press Ctrl-C to stop everything this script started.
MSG

# Wait until a child dies or the user presses Ctrl-C.
while :; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: a server exited; see the logs in $state" >&2
      exit 1
    fi
  done
  sleep 1
done
