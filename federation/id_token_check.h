#pragma once
// The checks on an upstream's ID token (OIDC Core §3.1.3.7), as one pure function: no
// network, no clock of its own, so every refusal is tested with tokens signed on the spot.
//
// In order, and nothing trusted until all pass: the JWS header (alg RS256, ES256 or EdDSA
// only, never none or HS*: RFC 8725 §3.1; a kid; no jwk/jku/x5u/x5c/crit), iss exactly the
// upstream's issuer, exp in the future and iat present and not in the future (both within
// leeway), aud containing our client_id, then the signature under the upstream's JWKS;
// then typ not that of an access token (RFC 8725 §3.11), azp equal to our client_id when
// present and required when aud names several audiences, nonce equal to the one we sent
// (constant-time), and a sub of 1 to 255 bytes without control characters (OIDC Core §2;
// a NUL would cut it short in PostgreSQL).
#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "jose/jwks.h"
#include "jose/status.h"

namespace keyward::federation {

struct IdTokenExpectations {
  std::string issuer;     // the upstream's issuer identifier
  std::string client_id;  // Keyward's client id at the upstream
  std::string nonce;      // what the authorization request carried
  TimePoint now{};
  std::chrono::seconds leeway{60};
};

// Which check refused the token. Jose: one of the JOSE checks, named by `status`.
enum class IdTokenFault {
  Jose,
  AccessTokenTyp,  // typ says at+jwt: an access token passed off as an ID token
  AzpMissing,      // several audiences and no azp
  AzpMismatch,     // azp names another client
  NonceMissing,
  NonceMismatch,
  SubjectInvalid,  // sub absent, not a string, empty, over 255 bytes, or with a control character
};

struct IdTokenError {
  IdTokenFault fault = IdTokenFault::Jose;
  jose::Status status = jose::Status::Ok;  // for Jose

  // The one refusal after which a JWKS refetch may help (the upstream rotated its keys).
  [[nodiscard]] bool kid_unknown() const {
    return fault == IdTokenFault::Jose && status == jose::Status::JwtKidUnknown;
  }
  // Which check failed, for logs: never the token or any of its values.
  [[nodiscard]] std::string describe() const;
};

// The verified token's claims, or the check that refused it.
[[nodiscard]] Result<nlohmann::json, IdTokenError> check_id_token(
    std::string_view compact, const jose::Jwks& jwks, const IdTokenExpectations& expected);

}  // namespace keyward::federation
