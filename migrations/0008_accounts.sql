-- 0008: accounts people run themselves (issue 12): single-use links sent by e-mail, the
-- mail outbox, the per-hour mail limits, and what the account page shows of a session.

-- Single-use links: e-mail verification (24 h) and password reset (30 min). Only the
-- SHA-256 digest of the 256-bit token is stored, so a stolen table opens nothing. A link
-- is deleted when it is used; a new reset link deletes the user's earlier ones.
CREATE TABLE account_links (
  token_hash  bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- verify_email: the address the link proves (a later change of address makes it
  -- worthless); reset_password: NULL.
  email       text CHECK (char_length(email) BETWEEN 3 AND 320),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  CONSTRAINT account_links_email_for_verification CHECK ((purpose = 'verify_email') = (email IS NOT NULL))
);
CREATE INDEX account_links_user ON account_links (user_id, purpose);
CREATE INDEX account_links_expires_at ON account_links (expires_at);

-- Mails waiting to be sent. A request only inserts here (sending never blocks it); the
-- server's delivery thread sends, retries with back-off and deletes each row once sent or
-- given up (the janitor deletes what is a day old), so the live links in the bodies, held
-- here in clear as in any mail queue, do not outlive their delivery.
CREATE TABLE mail_outbox (
  id              bigserial PRIMARY KEY,
  recipient       text NOT NULL CHECK (char_length(recipient) BETWEEN 3 AND 320),
  subject         text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 998),
  text_body       text NOT NULL,
  html_body       text NOT NULL,
  -- What the mail is about (verify_email, reset_password, ...), for logs without bodies.
  kind            text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_outbox_next_attempt_at ON mail_outbox (next_attempt_at);

-- The per-hour mail limits (recovery and verification mails per account and per
-- requesting address and per recipient): one row per mail requested, keyed "user:<id>",
-- "ip:<address>" or "email:<lower-cased recipient>";
-- rows older than an hour are pruned by the janitor.
CREATE TABLE mail_requests (
  key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 512),
  requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_requests_key ON mail_requests (key, requested_at);
CREATE INDEX mail_requests_requested_at ON mail_requests (requested_at);

-- /recover looks accounts up by address, case-insensitively, for anybody who asks.
CREATE INDEX users_lower_email ON users (lower(email));

-- What the account page lists of each signed-in browser: where from and with what.
ALTER TABLE browser_sessions ADD COLUMN user_agent text CHECK (char_length(user_agent) <= 512);
ALTER TABLE browser_sessions ADD COLUMN ip_address text CHECK (char_length(ip_address) <= 64);
