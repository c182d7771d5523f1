#!/usr/bin/env bash
# The classic scenario, end to end, through the front door:
#   1. the demo user's good password -> an access token from keyward (password grant)
#   2. that token -> the user's information from the sample resource server (GET /api/me),
#      and the resource server's own data (PUT /api/me/note)
#   3. a route that needs a scope the demo client does not have -> 403 insufficient_scope
#   4. a wrong password -> keyward's error
#   5. an invalid token, then no token -> the resource server's 401 and WWW-Authenticate
#
#   scripts/demo.sh [BASE_URL]     default http://localhost:${KEYWARD_PORT:-8080}
#
# Credentials come from the file scripts/seed-demo.sh wrote: KEYWARD_DEMO_ENV, default
# .data/run/demo.env (what scripts/run.sh uses). Needs bash and curl; python3, when present,
# pretty-prints the JSON.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-http://localhost:${KEYWARD_PORT:-8080}}
base=${base%/}
env_file=${KEYWARD_DEMO_ENV:-$repo/.data/run/demo.env}
if [ ! -f "$env_file" ]; then
  echo "demo: $env_file not found: start keyward with scripts/run.sh first (it seeds the demo)," >&2
  echo "      or point KEYWARD_DEMO_ENV at the demo.env that scripts/seed-demo.sh wrote" >&2
  exit 1
fi
# shellcheck disable=SC1090
. "$env_file"
: "${KEYWARD_DEMO_CLIENT_ID:?missing in $env_file}" "${KEYWARD_DEMO_CLIENT_SECRET:?}"
: "${KEYWARD_DEMO_USERNAME:?}" "${KEYWARD_DEMO_PASSWORD:?}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pretty JSON with tokens shortened, or the raw body.
show_body() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import json, sys
raw = sys.stdin.read()
try:
    doc = json.loads(raw)
except ValueError:
    print(raw); sys.exit()
def short(v):
    return v[:20] + "...(" + str(len(v)) + " chars)" if isinstance(v, str) and len(v) > 40 else v
if isinstance(doc, dict):
    for k in ("access_token", "refresh_token", "id_token"):
        if k in doc: doc[k] = short(doc[k])
print(json.dumps(doc, indent=2))' <"$1" | sed 's/^/    /'
  else
    sed 's/^/    /' "$1"
    echo
  fi
}

# request LABEL curl-args...: prints the status line, WWW-Authenticate and the body.
request() {
  local label=$1
  shift
  : >"$tmp/headers"
  : >"$tmp/body"
  if ! curl -sS -D "$tmp/headers" -o "$tmp/body" "$@"; then
    echo "demo: cannot reach $base: is scripts/run.sh (or docker compose) running?" >&2
    exit 1
  fi
  echo "  $label"
  sed -n '1s/^/    /p' "$tmp/headers" | tr -d '\r'
  grep -i '^WWW-Authenticate:' "$tmp/headers" | tr -d '\r' | sed 's/^/    /' || true
  show_body "$tmp/body"
  echo
}

field() {
  sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$tmp/body" | head -n1
}

client_auth=(-u "$KEYWARD_DEMO_CLIENT_ID:$KEYWARD_DEMO_CLIENT_SECRET")

echo
echo "1. The demo user signs in with the right password (POST $base/token, grant_type=password)"
request "keyward's answer:" "${client_auth[@]}" -X POST "$base/token" \
  --data-urlencode grant_type=password \
  --data-urlencode "username=$KEYWARD_DEMO_USERNAME" \
  --data-urlencode "password=$KEYWARD_DEMO_PASSWORD" \
  --data-urlencode "scope=openid profile api:read"
token=$(field access_token)
if [ -z "$token" ]; then
  echo "demo: no access token; is the demo seeded against this keyward?" >&2
  exit 1
fi

echo "2. The token opens the resource server (GET $base/api/me)"
request "the resource server's answer:" -H "Authorization: Bearer $token" "$base/api/me"
request "PUT $base/api/me/note (data the resource server keeps about the user):" \
  -X PUT -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  --data '{"note":"Written by scripts/demo.sh"}' "$base/api/me/note"
request "GET $base/api/me again, with the note:" -H "Authorization: Bearer $token" "$base/api/me"

echo "3. A route that needs api:write, which the demo client is never given"
request "PUT $base/api/board:" -X PUT -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" --data '{"message":"hi"}' "$base/api/board"

echo "4. A wrong password"
request "keyward's answer:" "${client_auth[@]}" -X POST "$base/token" \
  --data-urlencode grant_type=password \
  --data-urlencode "username=$KEYWARD_DEMO_USERNAME" \
  --data-urlencode "password=not-the-password" \
  --data-urlencode "scope=api:read"

echo "5. An invalid token (the real one, its scope widened to api:write), then no token at all"
header=${token%%.*}
signature=${token##*.}
payload=${token#*.}
payload=${payload%%.*}
padded=$(printf '%s' "$payload" | tr '_-' '/+')
while [ $((${#padded} % 4)) -ne 0 ]; do padded="$padded="; done
forged_payload=$(printf '%s' "$padded" | base64 -d |
  sed 's/"scope":"[^"]*"/"scope":"api:read api:write"/' | base64 -w0 | tr -d '=' | tr '+/' '-_')
request "the resource server's answer to a forged token:" \
  -H "Authorization: Bearer $header.$forged_payload.$signature" "$base/api/me"
request "the resource server's answer without a token:" "$base/api/me"
