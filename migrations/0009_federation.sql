-- 0009: federated sign-in (issue 13): upstream OpenID providers ("Sign in with Google"),
-- the upstream identities linked to Keyward users, the upstream flows under way, and how a
-- browser session was signed in (RFC 8176 `amr`).

-- Upstream OpenID Connect providers, registered by the operator (`keyward idp add`).
-- Keyward is their relying party, with redirect URI {issuer}/federation/callback.
CREATE TABLE identity_providers (
  -- The short name the login page's button and the CLI use: lower-case, stable.
  name                 text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  -- The upstream's issuer identifier: its discovery document must name exactly this.
  issuer               text NOT NULL CHECK (char_length(issuer) BETWEEN 8 AND 2000),
  client_id            text NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 1000),
  -- aead::seal(HKDF(master key, "keyward idp-secrets v1"), secret, name): never in clear.
  client_secret_sealed bytea NOT NULL CHECK (octet_length(client_secret_sealed) > 28),
  scopes               text[] NOT NULL CHECK (array_position(scopes, NULL) IS NULL
                                              AND 'openid' = ANY (scopes)),
  button_label         text NOT NULL CHECK (char_length(button_label) BETWEEN 1 AND 64),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- An upstream identity (the upstream's issuer and its `sub`, OIDC Core §2: unique together)
-- linked to one Keyward user. Removing the provider removes its links; removing the user
-- removes theirs.
CREATE TABLE federated_identities (
  provider     text NOT NULL REFERENCES identity_providers (name) ON DELETE CASCADE,
  subject      text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- What the upstream said last, for the account page (not used to find the user).
  email        text CHECK (char_length(email) <= 320),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, subject),
  -- One identity per provider per user: a second Google account is not linked silently.
  UNIQUE (user_id, provider)
);

-- Upstream flows under way (and pending link confirmations): single use, short-lived.
-- Keyed by the SHA-256 of the `state` sent upstream (or of the link token); bound to the
-- browser by the SHA-256 of a random value in a cookie only that browser holds.
CREATE TABLE federation_flows (
  key_hash       bytea PRIMARY KEY CHECK (octet_length(key_hash) = 32),
  purpose        text NOT NULL CHECK (purpose IN ('sign_in', 'link')),
  browser_hash   bytea NOT NULL CHECK (octet_length(browser_hash) = 32),
  provider       text NOT NULL REFERENCES identity_providers (name) ON DELETE CASCADE,
  -- sign_in: the nonce and PKCE code_verifier sent upstream.
  nonce          text,
  code_verifier  text,
  -- link: the upstream identity waiting for the user's Keyward password, and the user.
  subject        text,
  user_id        uuid REFERENCES users (id) ON DELETE CASCADE,
  email          text,
  -- Where the browser goes afterwards: the authorization request's parameters as a query
  -- string, or '' for the account page.
  return_params  text NOT NULL CHECK (char_length(return_params) <= 16384),
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  CONSTRAINT federation_flows_sign_in CHECK (
    purpose <> 'sign_in' OR (nonce IS NOT NULL AND code_verifier IS NOT NULL)),
  CONSTRAINT federation_flows_link CHECK (
    purpose <> 'link' OR (subject IS NOT NULL AND user_id IS NOT NULL))
);
CREATE INDEX federation_flows_expires_at ON federation_flows (expires_at);

-- A user who signed up through an upstream has no Keyward password until they set one
-- (through /recover); NULL never verifies.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- How each session was signed in (RFC 8176): 'pwd' with a Keyward password, 'fed' through an
-- upstream provider. ID tokens carry it as `amr`; auth_time is the sign-in's either way.
ALTER TABLE browser_sessions ADD COLUMN amr text CHECK (amr IN ('pwd', 'fed'));
ALTER TABLE authorization_codes ADD COLUMN amr text CHECK (amr IN ('pwd', 'fed'));
