-- 0011: audit events (issue 15): one row per security-relevant fact (sign-ins and their
-- failures, tokens issued, revocations, consents, operator changes), written in batches
-- by the server's event writer (audit/event_writer.h), read by `keyward events`,
-- `keyward stats` and /admin/v1/events, pruned by the janitor after
-- KEYWARD_EVENT_RETENTION days.
--
-- No foreign keys: an event outlives the user or client it names (a deleted user's
-- sign-ins are still history), and the writer must never fail a batch because a client
-- was deleted a moment earlier. Never a secret, a token, a code or a password: ids and
-- small facts only (docs/observability.md "Audit events").
CREATE TABLE events (
  id           bigserial PRIMARY KEY,
  occurred_at  timestamptz NOT NULL,
  -- audit::type_name(): snake_case, added to and never renamed.
  type         text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]{0,63}$'),
  user_id      uuid,
  client_id    text CHECK (char_length(client_id) <= 1000),
  -- As the HTTP layer resolved it (behind trusted proxies); text, not inet, so an odd
  -- value can never fail a whole batch.
  address      text CHECK (char_length(address) <= 100),
  request_id   text CHECK (char_length(request_id) <= 200),
  -- "admin:<client_id>", "cli", "system", or NULL for a person's own action.
  actor        text CHECK (char_length(actor) <= 1100),
  detail       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);

-- Every list reads newest first, optionally filtered by one of these; the id breaks ties
-- between events of one microsecond (keyset paging on (occurred_at, id)).
CREATE INDEX events_occurred_at ON events (occurred_at, id);
CREATE INDEX events_user_occurred_at ON events (user_id, occurred_at, id) WHERE user_id IS NOT NULL;
CREATE INDEX events_client_occurred_at ON events (client_id, occurred_at, id)
  WHERE client_id IS NOT NULL;
CREATE INDEX events_type_occurred_at ON events (type, occurred_at, id);
