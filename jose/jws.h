#pragma once
// JWS signatures (RFC 7515 §5) with RS256 (RFC 7518 §3.3), ES256 (§3.4) and EdDSA (RFC 8037
// §3.1), and the verification of a parsed JWT against a JWKS.
#include <span>
#include <string>
#include <string_view>

#include "jose/alg.h"
#include "jose/evp_key.h"
#include "jose/jwks.h"
#include "jose/jwt.h"
#include "jose/status.h"

namespace keyward::jose {

// The JWS Signature over signing_input with the key's algorithm: one EVP_DigestSign. ES256
// yields the 64-byte R || S form of RFC 7518 §3.4, not DER. Throws std::runtime_error only if
// OpenSSL fails.
[[nodiscard]] std::string jws_sign(const PrivateKey& key, std::string_view signing_input);

// True iff signature is a valid alg signature of signing_input under key. False when the key
// does not fit alg, or the signature has the wrong length for it (ES256 exactly 64 bytes).
[[nodiscard]] bool jws_verify(const PublicKey& key, Alg alg, std::string_view signing_input,
                              std::string_view signature);

// The header checks, which need no key: alg on the allow-list (so never none or HS*: RFC 8725
// §3.1, §3.2), no member that lets the token pick its own key or demand extensions we do not
// implement (jwk, jku, x5u, x5c, crit: RFC 8725 §3.10, RFC 7515 §4.1.11), a kid.
[[nodiscard]] Status check_jws_header(const Jwt& jwt, std::span<const Alg> allowed);

// check_jws_header(), then the key: the algorithm is the token's alg only once it is on the
// allow-list, and the key must have the token's kid and fit that algorithm (Jwks::select).
// Statuses, in order: JwtAlgNotAllowed, JwtHeaderForbiddenMember, JwtKidMissing, JwtKidUnknown,
// JwksKeyMismatch, JwtSignatureInvalid; Ok if the signature verifies.
[[nodiscard]] Status verify_signature(const Jwt& jwt, const Jwks& jwks,
                                      std::span<const Alg> allowed);

}  // namespace keyward::jose
