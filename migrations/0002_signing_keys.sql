-- 0002: signing keys (DESIGN.md "Keys"; issue 3).
-- A key goes next (published, not yet signing) -> active (signing) -> retired (published
-- until every token it signed has expired) -> deleted. The private key is sealed with
-- AES-256-GCM under KEYWARD_MASTER_KEY before it gets here: this table never holds a
-- clear private key, and its public JWK may not carry private members either.
CREATE TABLE signing_keys (
  kid                text PRIMARY KEY CHECK (char_length(kid) BETWEEN 1 AND 255),
  alg                text NOT NULL CHECK (alg IN ('RS256', 'PS256', 'ES256', 'EdDSA')),
  state              text NOT NULL CHECK (state IN ('next', 'active', 'retired')),
  public_jwk         jsonb NOT NULL,
  -- 12-byte nonce + ciphertext + 16-byte tag, at least.
  private_key_sealed bytea NOT NULL CHECK (octet_length(private_key_sealed) > 28),
  created_at         timestamptz NOT NULL DEFAULT now(),
  activates_at       timestamptz NOT NULL,
  retires_at         timestamptz,
  delete_after       timestamptz,
  -- RFC 7517 §6.3.2 and §6.4: d, p, q, dp, dq, qi, oth (RSA), d (EC, OKP), k (oct).
  CONSTRAINT signing_keys_public_jwk_is_public CHECK (
    jsonb_typeof(public_jwk) = 'object'
    AND NOT public_jwk ?| ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']),
  CONSTRAINT signing_keys_retired_has_times CHECK (
    state <> 'retired' OR (retires_at IS NOT NULL AND delete_after IS NOT NULL))
);
-- Never two keys signing at once for one algorithm, whatever the instances do.
CREATE UNIQUE INDEX signing_keys_one_active_per_alg ON signing_keys (alg) WHERE state = 'active';
