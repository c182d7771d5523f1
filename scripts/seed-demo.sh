#!/usr/bin/env bash
# Seeds the demo, idempotently: a confidential client "demo" (client_credentials, password,
# refresh_token; scopes "openid profile email api:read", never api:write; audience the sample
# resource server) and a user "demo" with a generated password. The generated credentials are
# kept in STATE_DIR/demo.env (mode 0600) so that every rerun reuses them; STATE_DIR/demo.txt
# says what to try. Called by scripts/run.sh and by docker/compose.yml's demo-seed service.
#
#   scripts/seed-demo.sh BUILD_DIR STATE_DIR
#
# BUILD_DIR holds server/keyward. Settings come from the environment as for `keyward`
# (KEYWARD_DATABASE_URL, KEYWARD_MASTER_KEY or KEYWARD_DATA_DIR); KEYWARD_RS_AUDIENCE names the
# sample resource server's audience (default keyward-sample-rs). Needs only bash, sed, head and
# base64, so it runs in the slim runtime image too.
set -euo pipefail

build=${1:?usage: scripts/seed-demo.sh BUILD_DIR STATE_DIR}
state=${2:?usage: scripts/seed-demo.sh BUILD_DIR STATE_DIR}
kw="$build/server/keyward"
audience=${KEYWARD_RS_AUDIENCE:-keyward-sample-rs}
scopes="openid profile email api:read"
mkdir -p "$state"
env_file="$state/demo.env"

KEYWARD_DEMO_CLIENT_ID=""
KEYWARD_DEMO_CLIENT_SECRET=""
KEYWARD_DEMO_USERNAME=demo
KEYWARD_DEMO_PASSWORD=""
# shellcheck disable=SC1090
if [ -f "$env_file" ]; then . "$env_file"; fi

# The value of a string member in keyward's JSON output (ids and secrets are base64url).
json_field() { sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n1; }
generate_password() { head -c 15 /dev/urandom | base64 | tr '+/' '-_'; }

if [ -n "$KEYWARD_DEMO_CLIENT_ID" ] && "$kw" client show "$KEYWARD_DEMO_CLIENT_ID" >/dev/null 2>&1; then
  if [ -z "$KEYWARD_DEMO_CLIENT_SECRET" ]; then
    out=$("$kw" client rotate-secret "$KEYWARD_DEMO_CLIENT_ID")
    KEYWARD_DEMO_CLIENT_SECRET=$(printf '%s\n' "$out" | json_field client_secret)
    echo "seed-demo: new secret for the demo client $KEYWARD_DEMO_CLIENT_ID"
  else
    echo "seed-demo: demo client $KEYWARD_DEMO_CLIENT_ID already registered"
  fi
else
  out=$("$kw" client create --name demo --grant-types client_credentials,password,refresh_token \
    --scopes "$scopes" --audience "$audience" --first-party)
  KEYWARD_DEMO_CLIENT_ID=$(printf '%s\n' "$out" | json_field client_id)
  KEYWARD_DEMO_CLIENT_SECRET=$(printf '%s\n' "$out" | json_field client_secret)
  if [ -z "$KEYWARD_DEMO_CLIENT_ID" ] || [ -z "$KEYWARD_DEMO_CLIENT_SECRET" ]; then
    echo "seed-demo: could not read the new client from: $out" >&2
    exit 1
  fi
  echo "seed-demo: registered the demo client $KEYWARD_DEMO_CLIENT_ID"
fi

if "$kw" user show "$KEYWARD_DEMO_USERNAME" >/dev/null 2>&1; then
  if [ -z "$KEYWARD_DEMO_PASSWORD" ]; then
    KEYWARD_DEMO_PASSWORD=$(generate_password)
    printf '%s\n' "$KEYWARD_DEMO_PASSWORD" |
      "$kw" user set-password "$KEYWARD_DEMO_USERNAME" --password-stdin >/dev/null
    echo "seed-demo: new password for the user $KEYWARD_DEMO_USERNAME"
  else
    echo "seed-demo: user $KEYWARD_DEMO_USERNAME already exists"
  fi
else
  [ -n "$KEYWARD_DEMO_PASSWORD" ] || KEYWARD_DEMO_PASSWORD=$(generate_password)
  printf '%s\n' "$KEYWARD_DEMO_PASSWORD" |
    "$kw" user create --username "$KEYWARD_DEMO_USERNAME" --email demo@example.com \
      --given-name Demo --family-name User --password-stdin >/dev/null
  echo "seed-demo: created the user $KEYWARD_DEMO_USERNAME"
fi

(
  umask 077
  {
    echo "# Written by scripts/seed-demo.sh; reused by every rerun. Secrets: keep this file private."
    printf 'KEYWARD_DEMO_CLIENT_ID=%q\n' "$KEYWARD_DEMO_CLIENT_ID"
    printf 'KEYWARD_DEMO_CLIENT_SECRET=%q\n' "$KEYWARD_DEMO_CLIENT_SECRET"
    printf 'KEYWARD_DEMO_USERNAME=%q\n' "$KEYWARD_DEMO_USERNAME"
    printf 'KEYWARD_DEMO_PASSWORD=%q\n' "$KEYWARD_DEMO_PASSWORD"
  } >"$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
)

cat >"$state/demo.txt" <<MSG

  Demo (seeded by scripts/seed-demo.sh; credentials in $env_file):
    user      $KEYWARD_DEMO_USERNAME / $KEYWARD_DEMO_PASSWORD
    client    $KEYWARD_DEMO_CLIENT_ID (scopes: $scopes)

  Try the whole scenario (password grant, the resource server, the errors):
    bash scripts/demo.sh
MSG
echo "seed-demo: wrote $env_file and $state/demo.txt"
