-- 0003: sign-in throttling (issues 4 and 5): failed password attempts per key, where a key
-- is an account ("user:<username>") or an address ("ip:<address>"). Growing back-off,
-- not a hard lock-out an attacker could use to lock users out; rows whose blocked_until
-- and last failure are long past are pruned by the janitor.
CREATE TABLE login_throttle (
  key             text PRIMARY KEY CHECK (char_length(key) BETWEEN 1 AND 512),
  failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  blocked_until   timestamptz
);
CREATE INDEX login_throttle_last_failure_at ON login_throttle (last_failure_at);
