// Verifies Keyward access tokens with npm's jose, as a resource server written in
// JavaScript would: the JWKS comes from the jwks_uri that discovery names, over HTTP.
//   node verify_keyward_token.mjs DISCOVERY_URL ISSUER AUDIENCE TOKEN...
// Prints one JSON line per token: {"ok":true,"kid","alg","typ","iss","sub"} or
// {"ok":false,"code","claim","message"}. Exits non-zero only when discovery itself fails.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [discoveryUrl, issuer, audience, ...tokens] = process.argv.slice(2);
if (!discoveryUrl || !issuer || !audience) {
  console.error('usage: node verify_keyward_token.mjs DISCOVERY_URL ISSUER AUDIENCE TOKEN...');
  process.exit(2);
}

const response = await fetch(discoveryUrl);
if (response.status !== 200) {
  console.error(`discovery answered ${response.status}`);
  process.exit(1);
}
const discovery = await response.json();
// OpenID Connect Discovery 1.0 §4.3: the issuer must be exactly the one we expect.
if (discovery.issuer !== issuer) {
  console.error(`issuer mismatch: ${JSON.stringify(discovery.issuer)} != ${JSON.stringify(issuer)}`);
  process.exit(1);
}
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

for (const token of tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer,
      audience,
      typ: 'at+jwt', // RFC 9068 §4
      algorithms: discovery.id_token_signing_alg_values_supported.concat(['RS256', 'ES256']),
    });
    console.log(JSON.stringify({
      ok: true,
      kid: protectedHeader.kid,
      alg: protectedHeader.alg,
      typ: protectedHeader.typ,
      iss: payload.iss,
      sub: payload.sub,
    }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, code: e.code, claim: e.claim, message: e.message }));
  }
}
