-- 0007: which clients may introspect (RFC 7662 §2.1 leaves it to the server; §4 lets it
-- answer inactive to a caller not authorized to know about a token). A client with
-- may_introspect (a resource server, registered with `keyward client create
-- --introspect`) is answered about any access token; any other confidential client only
-- about access tokens whose aud names it, and about its own refresh tokens. Only
-- confidential clients authenticate at the introspection endpoint, so only they may hold
-- the permission.
ALTER TABLE clients ADD COLUMN may_introspect boolean NOT NULL DEFAULT false;
ALTER TABLE clients ADD CONSTRAINT clients_introspection_needs_confidential
  CHECK (NOT may_introspect OR confidential);
