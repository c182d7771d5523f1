-- 0010: dynamic client registration (RFC 7591) and its management (RFC 7592).
--
-- Initial access tokens (RFC 7591 §3): minted by `keyward registration-token create`,
-- shown once, stored as their SHA-256 only. A token may expire and may be limited to a
-- number of registrations; each successful registration counts one use, in the same
-- transaction that stores the client.
CREATE TABLE registration_tokens (
  -- A short public name for listing and revoking; never the token.
  id          text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 64),
  token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,  -- NULL: never expires
  max_uses    integer CHECK (max_uses IS NULL OR max_uses > 0),  -- NULL: unlimited
  uses        integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  CHECK (max_uses IS NULL OR uses <= max_uses)
);
CREATE INDEX registration_tokens_expires_at ON registration_tokens (expires_at)
  WHERE expires_at IS NOT NULL;

-- What a dynamically registered client has beyond a `clients` row: its registration
-- access token (RFC 7592 §3, SHA-256 only; rotated on every update) and the RFC 7591 §2
-- metadata Keyward validates and echoes back but does not act on. Clients created with
-- `keyward client create` have no row here, so RFC 7592 cannot touch them. A row of its
-- own rather than columns of `clients`: the client cache and every grant read `clients`,
-- and none of them needs this.
CREATE TABLE client_registrations (
  client_id          text PRIMARY KEY REFERENCES clients (client_id) ON DELETE CASCADE,
  access_token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(access_token_hash) = 32),
  client_uri         text,
  logo_uri           text,
  policy_uri         text,
  tos_uri            text,
  jwks_uri           text,
  contacts           text[] NOT NULL DEFAULT '{}'
                       CHECK (array_position(contacts, NULL) IS NULL),
  software_id        text,
  software_version   text
);
