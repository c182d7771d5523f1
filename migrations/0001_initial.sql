-- 0001: what the token endpoint and browser sign-in need (DESIGN.md "Tokens",
-- "Secrets and passwords", "Browser flows"; issues 4 and 5).
-- Applied once, in one transaction, by `keyward migrate`. Never edit this file once it
-- has been applied anywhere: add a new numbered file instead.
--
-- Conventions:
--   * tokens, codes and session ids are stored only as SHA-256 digests (bytea, 32 bytes);
--   * every list is a text[] with no NULL element (empty list = '{}');
--   * a grant's death takes its codes and refresh tokens with it (ON DELETE CASCADE);
--   * times are timestamptz; expiry columns are indexed for the janitor's batched deletes.

-- Registered clients (RFC 6749 §2, RFC 7591 metadata names).
CREATE TABLE clients (
  client_id                  text PRIMARY KEY
                               CHECK (char_length(client_id) BETWEEN 1 AND 255),
  -- HMAC-SHA-256 of the secret under a key derived from the master key; NULL for
  -- public clients, which have no secret (RFC 6749 §2.1).
  secret_hmac                bytea CHECK (octet_length(secret_hmac) = 32),
  name                       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  confidential               boolean NOT NULL,
  first_party                boolean NOT NULL DEFAULT false,  -- skips the consent page
  token_endpoint_auth_method text NOT NULL
                               CHECK (token_endpoint_auth_method IN
                                      ('client_secret_basic', 'client_secret_post', 'none')),
  grant_types                text[] NOT NULL DEFAULT '{}'
                               CHECK (array_position(grant_types, NULL) IS NULL)
                               CHECK (grant_types <@ ARRAY['authorization_code',
                                      'client_credentials', 'password', 'refresh_token']),
  scopes                     text[] NOT NULL DEFAULT '{}'
                               CHECK (array_position(scopes, NULL) IS NULL),
  redirect_uris              text[] NOT NULL DEFAULT '{}'
                               CHECK (array_position(redirect_uris, NULL) IS NULL),
  post_logout_redirect_uris  text[] NOT NULL DEFAULT '{}'
                               CHECK (array_position(post_logout_redirect_uris, NULL) IS NULL),
  audiences                  text[] NOT NULL DEFAULT '{}'
                               CHECK (array_position(audiences, NULL) IS NULL),
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  -- A confidential client has a secret and authenticates with it; a public one has
  -- neither.
  CONSTRAINT clients_secret_matches_type CHECK (
    (confidential AND secret_hmac IS NOT NULL AND token_endpoint_auth_method <> 'none')
    OR (NOT confidential AND secret_hmac IS NULL AND token_endpoint_auth_method = 'none')),
  -- RFC 6749 §4.4: the client credentials grant is for confidential clients only.
  CONSTRAINT clients_public_no_client_credentials CHECK (
    confidential OR NOT ('client_credentials' = ANY (grant_types)))
);

-- End users. id is the OIDC `sub`: stable, never reassigned, not the username.
CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Stored lower-cased, so uniqueness is case-insensitive without citext.
  username       text NOT NULL UNIQUE
                   CHECK (char_length(username) BETWEEN 1 AND 255 AND username = lower(username)),
  email          text CHECK (char_length(email) BETWEEN 3 AND 320),
  email_verified boolean NOT NULL DEFAULT false,
  given_name     text CHECK (char_length(given_name) <= 200),
  family_name    text CHECK (char_length(family_name) <= 200),
  -- Argon2id in the PHC encoding, parameters included, so they can be raised later.
  password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- A browser's signed-in (or not yet signed-in) session. The cookie holds the id; the
-- table holds its digest. Forms carry CSRF tokens derived from csrf_secret, so they are
-- bound to the session (a login form needs one before anybody has signed in, hence the
-- nullable user).
CREATE TABLE browser_sessions (
  id_hash      bytea PRIMARY KEY CHECK (octet_length(id_hash) = 32),
  user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
  csrf_secret  bytea NOT NULL CHECK (octet_length(csrf_secret) >= 32),
  auth_time    timestamptz,            -- when the user last entered a password
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),  -- for the idle timeout
  expires_at   timestamptz NOT NULL,                -- the absolute lifetime
  CONSTRAINT browser_sessions_auth_time_with_user CHECK ((user_id IS NULL) = (auth_time IS NULL))
);
CREATE INDEX browser_sessions_user_id ON browser_sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX browser_sessions_expires_at ON browser_sessions (expires_at);

-- A grant: one authorization given to one client (for one user, or for itself under
-- client credentials). Its id is the `gid` claim of every access token issued from it;
-- revoking it (logout, code replay, refresh-token reuse, an admin) kills them all.
CREATE TABLE grants (
  id              text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 128),
  client_id       text NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
  user_id         uuid REFERENCES users (id) ON DELETE CASCADE,
  -- The browser session it was granted in, so logout can revoke its grants.
  session_id_hash bytea REFERENCES browser_sessions (id_hash) ON DELETE SET NULL,
  scopes          text[] NOT NULL DEFAULT '{}' CHECK (array_position(scopes, NULL) IS NULL),
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz
);
CREATE INDEX grants_client_id ON grants (client_id);
CREATE INDEX grants_user_id ON grants (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX grants_session_id_hash ON grants (session_id_hash) WHERE session_id_hash IS NOT NULL;
CREATE INDEX grants_expires_at ON grants (expires_at);

-- Authorization codes (RFC 6749 §4.1.2): single use, at most 60 s, bound to the client,
-- redirect URI, PKCE challenge (RFC 7636), nonce and session. Consumed with one
-- UPDATE ... WHERE consumed_at IS NULL, so two concurrent redemptions cannot both win.
CREATE TABLE authorization_codes (
  code_hash             bytea PRIMARY KEY CHECK (octet_length(code_hash) = 32),
  grant_id              text NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  client_id             text NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
  user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  redirect_uri          text NOT NULL,
  code_challenge        text CHECK (code_challenge ~ '^[A-Za-z0-9_-]{43}$'),
  -- Only S256: `plain` is refused (RFC 9700 §2.1.1).
  code_challenge_method text CHECK (code_challenge_method = 'S256'),
  nonce                 text,
  scopes                text[] NOT NULL DEFAULT '{}'
                          CHECK (array_position(scopes, NULL) IS NULL),
  session_id_hash       bytea,
  auth_time             timestamptz NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  expires_at            timestamptz NOT NULL,
  consumed_at           timestamptz,
  CONSTRAINT authorization_codes_challenge_with_method
    CHECK ((code_challenge IS NULL) = (code_challenge_method IS NULL))
);
CREATE INDEX authorization_codes_grant_id ON authorization_codes (grant_id);
CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

-- Refresh tokens (RFC 6749 §6), rotated on every use (RFC 9700 §4.14.2): the used one
-- gets rotated_at and replaced_by (the digest of its successor); presenting a rotated
-- one again is reuse and revokes the grant.
CREATE TABLE refresh_tokens (
  token_hash  bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  grant_id    text NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  client_id   text NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
  scopes      text[] NOT NULL DEFAULT '{}' CHECK (array_position(scopes, NULL) IS NULL),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  rotated_at  timestamptz,
  replaced_by bytea CHECK (octet_length(replaced_by) = 32),
  CONSTRAINT refresh_tokens_replaced_when_rotated
    CHECK (replaced_by IS NULL OR rotated_at IS NOT NULL)
);
-- One live (unrotated) refresh token per grant: of two concurrent rotations of the same
-- token, the second successor violates this index, so exactly one wins.
CREATE UNIQUE INDEX refresh_tokens_one_live_per_grant ON refresh_tokens (grant_id)
  WHERE rotated_at IS NULL;
CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

-- Access tokens are JWTs and are not stored (DESIGN.md "Tokens"); revoking one records
-- its jti until it would have expired anyway (RFC 7009).
CREATE TABLE revoked_access_tokens (
  jti        text PRIMARY KEY CHECK (char_length(jti) BETWEEN 1 AND 128),
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_access_tokens_expires_at ON revoked_access_tokens (expires_at);

-- Remembered consent per (user, client); asked again when the requested scopes are not
-- a subset of these (OIDC Core §3.1.2.4).
CREATE TABLE consents (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id  text NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
  scopes     text[] NOT NULL DEFAULT '{}' CHECK (array_position(scopes, NULL) IS NULL),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_id)
);
CREATE INDEX consents_client_id ON consents (client_id);
