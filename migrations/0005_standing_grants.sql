-- 0005: standing grants for the client credentials grant (DESIGN.md "Tokens"; issue 4).
-- A client-credentials access token is not written to the database (issuing one costs a
-- signature, not a write), yet its `gid` claim must name a grant that introspection and
-- revocation can check and kill. Each client therefore has at most one standing grant:
-- created on its first token, cached by every instance, and replaced (the old one
-- simply stops being standing and lives out its expiry) when it nears its end or is
-- revoked. The partial unique index makes two instances creating it at the same moment
-- agree on one row.
ALTER TABLE grants ADD COLUMN standing boolean NOT NULL DEFAULT false;
-- A standing grant has no user and no browser session.
ALTER TABLE grants ADD CONSTRAINT grants_standing_has_no_user
  CHECK (NOT standing OR (user_id IS NULL AND session_id_hash IS NULL));
CREATE UNIQUE INDEX grants_one_standing_per_client ON grants (client_id)
  WHERE standing AND revoked_at IS NULL;
-- The janitor deletes revoked grants at once; this keeps finding them cheap.
CREATE INDEX grants_revoked_at ON grants (revoked_at) WHERE revoked_at IS NOT NULL;
