#!/usr/bin/env bash
# Seeds the demo, idempotently: a confidential first-party client "demo" (client_credentials,
# password, refresh_token; scopes "openid profile email api:read", never api:write; audience
# the sample resource server; the password grant also needs KEYWARD_PASSWORD_GRANT=true on the
# server, which scripts/run.sh and docker/compose.yml set), a user "demo" with a generated password, and for browser sign-in
# a confidential web client "demo-web" and a public client "demo-spa" (authorization_code and
# refresh_token, redirect URI ISSUER/callback, post-logout redirect ISSUER/signed-out). The generated credentials are
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
KEYWARD_DEMO_WEB_CLIENT_ID=""
KEYWARD_DEMO_WEB_CLIENT_SECRET=""
KEYWARD_DEMO_SPA_CLIENT_ID=""
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
  # First-party, as the password grant requires (a client seeded by an older version may
  # lack the mark).
  "$kw" client update "$KEYWARD_DEMO_CLIENT_ID" --first-party >/dev/null
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

# Browser sign-in: the redirect URI is under the issuer, so the browser lands back on
# Keyward's front door (a 404 page) with the code in its address bar, whatever the port.
issuer=${KEYWARD_ISSUER:-http://localhost:8080}
callback="$issuer/callback"
signed_out="$issuer/signed-out"
browser_scopes="openid profile email offline_access"
if [ -z "$KEYWARD_DEMO_WEB_CLIENT_ID" ] || [ -z "$KEYWARD_DEMO_WEB_CLIENT_SECRET" ] ||
  ! "$kw" client show "$KEYWARD_DEMO_WEB_CLIENT_ID" >/dev/null 2>&1; then
  out=$("$kw" client create --name "Demo web app" --grant-types authorization_code,refresh_token \
    --scopes "$browser_scopes" --redirect-uri "$callback" --post-logout-redirect-uri "$signed_out")
  KEYWARD_DEMO_WEB_CLIENT_ID=$(printf '%s\n' "$out" | json_field client_id)
  KEYWARD_DEMO_WEB_CLIENT_SECRET=$(printf '%s\n' "$out" | json_field client_secret)
  echo "seed-demo: registered the demo web client $KEYWARD_DEMO_WEB_CLIENT_ID"
fi
if [ -z "$KEYWARD_DEMO_SPA_CLIENT_ID" ] ||
  ! "$kw" client show "$KEYWARD_DEMO_SPA_CLIENT_ID" >/dev/null 2>&1; then
  out=$("$kw" client create --name "Demo single-page app" --public \
    --grant-types authorization_code,refresh_token --scopes "$browser_scopes" \
    --redirect-uri "$callback" --post-logout-redirect-uri "$signed_out")
  KEYWARD_DEMO_SPA_CLIENT_ID=$(printf '%s\n' "$out" | json_field client_id)
  echo "seed-demo: registered the demo public client $KEYWARD_DEMO_SPA_CLIENT_ID"
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
    printf 'KEYWARD_DEMO_WEB_CLIENT_ID=%q\n' "$KEYWARD_DEMO_WEB_CLIENT_ID"
    printf 'KEYWARD_DEMO_WEB_CLIENT_SECRET=%q\n' "$KEYWARD_DEMO_WEB_CLIENT_SECRET"
    printf 'KEYWARD_DEMO_SPA_CLIENT_ID=%q\n' "$KEYWARD_DEMO_SPA_CLIENT_ID"
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

# A ready-to-open authorization URL for each browser client. The state is fixed so the
# printed URLs stay valid across reruns; a real client makes a fresh one per request.
urlencode() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in [A-Za-z0-9.~_-]) out+=$c ;; *) out+=$(printf '%%%02X' "'$c") ;; esac
  done
  printf '%s' "$out"
}
web_url="$issuer/authorize?response_type=code&client_id=$(urlencode "$KEYWARD_DEMO_WEB_CLIENT_ID")"
web_url+="&redirect_uri=$(urlencode "$callback")&scope=$(urlencode "openid profile email")"
web_url+="&state=demo-web&nonce=demo-nonce"
cat >>"$state/demo.txt" <<MSG

  Browser sign-in (authorization code; sign in as $KEYWARD_DEMO_USERNAME):
    web client  $KEYWARD_DEMO_WEB_CLIENT_ID / $KEYWARD_DEMO_WEB_CLIENT_SECRET
    public      $KEYWARD_DEMO_SPA_CLIENT_ID (PKCE S256 required)

    1. Open  $web_url
    2. Sign in and allow; the browser lands on $callback?code=...&state=demo-web&iss=...
    3. Within 60 s, exchange the code (once: a second use revokes everything it gave):
       curl -s -u '$KEYWARD_DEMO_WEB_CLIENT_ID:$KEYWARD_DEMO_WEB_CLIENT_SECRET' $issuer/token \\
         -d grant_type=authorization_code -d redirect_uri=$(urlencode "$callback") -d code=CODE
    4. curl -s -H "Authorization: Bearer ACCESS_TOKEN" $issuer/userinfo
    5. Sign out: $issuer/logout?id_token_hint=ID_TOKEN&post_logout_redirect_uri=$(urlencode "$signed_out")
MSG
if command -v openssl >/dev/null 2>&1; then
  verifier=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
  spa_url="$issuer/authorize?response_type=code&client_id=$(urlencode "$KEYWARD_DEMO_SPA_CLIENT_ID")"
  spa_url+="&redirect_uri=$(urlencode "$callback")&scope=openid&state=demo-spa"
  spa_url+="&code_challenge=$challenge&code_challenge_method=S256"
  cat >>"$state/demo.txt" <<MSG

    The public client with PKCE:
       Open  $spa_url
       curl -s $issuer/token -d grant_type=authorization_code \\
         -d client_id=$(urlencode "$KEYWARD_DEMO_SPA_CLIENT_ID") -d redirect_uri=$(urlencode "$callback") \\
         -d code_verifier=$verifier -d code=CODE
MSG
fi
echo "seed-demo: wrote $env_file and $state/demo.txt"
