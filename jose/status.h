#pragma once
// Every way a JOSE operation can fail, one value per cause, in the manner of jwt_verify_lib's
// Status: callers map them to HTTP (resource_server/bearer) and the JWKS cache refetches only on
// JwtKidUnknown, so two causes must never share a value.
#include <string_view>

namespace keyward::jose {

enum class Status {
  Ok,

  // Compact serialisation and JOSE header (RFC 7515 §4, §7.1).
  JwtBadFormat,              // not three strict base64url parts, or too long
  JwtHeaderBadJson,          // header not a duplicate-free JSON object, or alg/kid/typ not strings
  JwtAlgNotAllowed,          // none, HS*, or anything not on the verifier's allow-list
  JwtHeaderForbiddenMember,  // jwk, jku, x5u, x5c or crit: the token may not choose its own key
  JwtKidMissing,             // our issuer always sets kid (RFC 7515 §4.1.4), so it is required
  JwtPayloadBadJson,         // payload not a duplicate-free JSON object (RFC 7519 §7.2)

  // Key selection and signature.
  JwtKidUnknown,        // no key with this kid: the only status on which a JWKS is refetched
  JwksKeyMismatch,      // the key with this kid does not fit the alg (kty, crv, alg, use, key_ops)
  JwtSignatureInvalid,  // the signature does not verify under the selected key

  // Claims (RFC 7519 §4.1, RFC 9068 §4).
  JwtClaimBadType,      // a registered claim has the wrong JSON type (exp not a number, ...)
  JwtMissingClaim,      // a claim the policy requires is absent
  JwtIssuerMismatch,    // iss differs from the expected issuer
  JwtExpired,           // now is on or after exp (+ leeway)
  JwtNotYetValid,       // now is before nbf (- leeway)
  JwtIatInFuture,       // iat is after now (+ leeway)
  JwtAudienceMismatch,  // no aud value is one of ours, or aud absent while we expect one
  JwtTypMismatch,       // the typ header is not the one expected (RFC 8725 §3.11)

  // JWK and JWK Set (RFC 7517).
  JwksBadJson,       // not a JSON object with a "keys" array
  JwksNoUsableKeys,  // every key was skipped
  JwkBadJson,        // not an object, or a member missing or of the wrong type
  JwkUnsupported,    // a kty or crv we do not verify with
  JwkBadKey,         // malformed or invalid key material (length, point, modulus size)
  JwkPrivateMember,  // d, p, q, dp, dq, qi, oth or k: a published key must be public only

  // Private keys held by the issuer.
  KeyBadPkcs8,     // not exactly one DER PKCS#8 PrivateKeyInfo
  KeyUnsupported,  // a key type or size we do not sign with
};

[[nodiscard]] std::string_view to_string(Status status);

}  // namespace keyward::jose
