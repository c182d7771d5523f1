#pragma once
// Token introspection (RFC 7662). An access token is active when it is one of ours
// (grants/access_token_verification.h, whatever its audience) and one query finds its
// grant live and its jti not revoked. A refresh token is active when unrotated, unexpired and
// its grant live. Everything else is exactly {"active": false} (RFC 7662 §2.2): revoked,
// expired, foreign and garbage tokens are indistinguishable, and so is a live token the
// caller may not learn about (RFC 7662 §4).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "grants/client.h"
#include "grants/oauth_error.h"
#include "grants/signing_keys.h"
#include "storage/refresh_token_repository.h"
#include "storage/revocation_repository.h"

namespace keyward::grants {

class Introspection {
 public:
  Introspection(const SigningKeys& keys, storage::RevocationRepository& revocations,
                storage::RefreshTokenRepository& refresh_tokens, const Clock& clock,
                std::string issuer);

  // The RFC 7662 §2.2 response to `caller`, an authenticated confidential client. Who may
  // learn about which token (RFC 7662 §2.1 leaves it to the server; §4 asks it to guard
  // against token scanning and lets it answer inactive):
  //   - an access token: a client allowed to introspect (may_introspect: a resource
  //     server), or one the token's aud names (the resource server it was issued for);
  //   - a refresh token: only the client it was issued to (it is worth nothing to
  //     anybody else, and a resource server never holds one).
  // Anyone else gets exactly {"active": false}, whether or not the token is live: a
  // 403 would tell a scanner that the token exists. The token_type_hint is not needed
  // (the token's shape tells its type) and is ignored, as RFC 7662 §2.1 allows. A storage
  // failure is an error (503/500), never "inactive".
  [[nodiscard]] OAuthResult<nlohmann::json> introspect(std::string_view token,
                                                       const Client& caller);

 private:
  OAuthResult<nlohmann::json> access_token(std::string_view token, const Client& caller,
                                           TimePoint now);
  OAuthResult<nlohmann::json> refresh_token(std::string_view token, const Client& caller,
                                            TimePoint now);

  const SigningKeys& keys_;
  storage::RevocationRepository& revocations_;
  storage::RefreshTokenRepository& refresh_tokens_;
  const Clock& clock_;
  const std::string issuer_;
};

}  // namespace keyward::grants
