#pragma once
// JWT claim validation (RFC 7519 §4.1, RFC 9068 §4) with the time passed in, so callers inject
// a Clock and tests never sleep.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "jose/jwt.h"
#include "jose/status.h"

namespace keyward::jose {

struct ClaimPolicy {
  // Compared byte for byte with iss (RFC 7519 §4.1.1). Always checked: an empty issuer matches
  // no token, so a policy that forgot it fails closed.
  std::string issuer;
  // The token's aud (a string or an array of strings, RFC 7519 §4.1.3) must contain one of
  // these. With none configured, a token that has an aud is rejected, as §4.1.3 requires of a
  // recipient that is not named in it.
  std::vector<std::string> audiences;
  // The expected typ header, e.g. "at+jwt"; compared case-insensitively with an optional
  // "application/" prefix on either side (RFC 7515 §4.1.9, RFC 9068 §4). Unset: not checked.
  std::optional<std::string> typ;
  // Clock skew tolerated on exp, nbf and iat.
  std::chrono::seconds leeway{0};
  // Claims that must be present. exp by default: a token that never expires is refused unless
  // a policy says otherwise.
  std::vector<std::string> required_claims{"exp"};
  // Set by a recipient that decides on aud itself once the token verifies (an authorization
  // server introspecting its own tokens): any aud is accepted, as long as it is a string or
  // an array of strings; `audiences` is then ignored. Last, so that positional initialisers
  // of the fields above keep their meaning.
  bool any_audience = false;
};

// Checks, in order: iss, exp, nbf, iat, aud, typ, required claims. Returns the first failure:
// JwtClaimBadType when a registered claim has the wrong type, JwtMissingClaim when iss or a
// required claim is absent, JwtIssuerMismatch, JwtExpired (now >= exp + leeway: "on or after",
// RFC 7519 §4.1.4), JwtNotYetValid (now < nbf - leeway, §4.1.5), JwtIatInFuture
// (iat > now + leeway), JwtAudienceMismatch, JwtTypMismatch; Ok otherwise.
[[nodiscard]] Status validate_claims(const Jwt& jwt, const ClaimPolicy& policy, TimePoint now);

}  // namespace keyward::jose
