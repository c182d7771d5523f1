-- 0006: the password grant is for confidential first-party clients only (RFC 9700 §2.4;
-- DESIGN.md "Secrets and passwords"). clients.first_party (0001) already marks the
-- operator's own apps (they skip the consent page); the token endpoint now also requires
-- it, with a confidential client and KEYWARD_PASSWORD_GRANT on, before it takes a user's
-- password. A public client can never hold the grant: registration refuses it, and this
-- constraint holds whatever writes the table.
--
-- A public client registered with it before could never use it from now on (the token
-- endpoint answers unauthorized_client), so dropping it from such a client changes no
-- behaviour; it only lets the constraint hold for the rows already there.
UPDATE clients SET grant_types = array_remove(grant_types, 'password'), updated_at = now()
  WHERE NOT confidential AND 'password' = ANY (grant_types);
ALTER TABLE clients ADD CONSTRAINT clients_public_no_password
  CHECK (confidential OR NOT ('password' = ANY (grant_types)));
COMMENT ON COLUMN clients.first_party IS
  'the operator''s own app: skips the consent page; with confidential, may use the password '
  'grant when KEYWARD_PASSWORD_GRANT is on';
