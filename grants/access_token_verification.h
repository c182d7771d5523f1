#pragma once
// Whether a presented token is one of our own live-looking access tokens (RFC 9068): its
// signature verifies under a published key, it is ours (iss, typ at+jwt), unexpired, names
// an audience the caller accepts, and carries every claim we issue, well typed. Whether its
// grant and jti are still live is the caller's one database query.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "grants/signing_keys.h"
#include "jose/jwt.h"

namespace keyward::grants {

// Whatever audience the token names: for a caller that applies a rule of its own to aud
// (introspection answers a resource server the token names, RFC 7662 §2.2; revocation
// looks at the token's client, RFC 7009 §2.1). aud must still be a string or an array of
// strings (RFC 7519 §4.1.3).
struct AnyAudience {};
// The token's aud must name one of these (RFC 7519 §4.1.3): for a caller that is itself
// the resource the token must have been issued for (userinfo names the issuer).
struct Audiences {
  std::vector<std::string> names;
};
using AudiencePolicy = std::variant<AnyAudience, Audiences>;

// Our own, unexpired access token for an audience `audience` accepts, with every claim we
// issue present and well typed (sub, client_id, scope, jti, gid strings; iat, exp numbers).
[[nodiscard]] std::optional<jose::Jwt> verify_own_access_token(std::string_view token,
                                                               const SigningKeys& keys,
                                                               const std::string& issuer,
                                                               const AudiencePolicy& audience,
                                                               TimePoint now);

// Refresh tokens are 43 base64url characters; access tokens are JWTs (three parts).
[[nodiscard]] bool looks_like_jwt(std::string_view token);

}  // namespace keyward::grants
