#pragma once
// Token revocation (RFC 7009). Revoking a refresh token revokes its grant, and with it
// every access and refresh token issued from it (§2.1: the server SHOULD also invalidate
// the access tokens of the same grant). Revoking an access token puts its jti on the
// deny-list until the token would have expired. Unknown, expired, malformed and foreign
// (not ours) tokens are answered with success: §2.2 "invalid tokens do not cause an
// error", so a client cannot probe which strings are tokens.
#include <string>
#include <string_view>

#include "common/clock.h"
#include "grants/client.h"
#include "grants/oauth_error.h"
#include "grants/signing_keys.h"
#include "storage/grant_repository.h"
#include "storage/refresh_token_repository.h"
#include "storage/revocation_repository.h"

namespace keyward::grants {

class Revocation {
 public:
  Revocation(const SigningKeys& keys, storage::RevocationRepository& revocations,
             storage::RefreshTokenRepository& refresh_tokens, storage::GrantRepository& grants,
             const Clock& clock, std::string issuer);

  // RFC 7009 §2.1: "the authorization server ... verifies whether the token was issued to
  // the client making the revocation request. If this validation fails, the request is
  // refused": unauthorized_client for a live token of another client. The hint is
  // ignored: the token's shape tells its type (§2.1 lets the server search all types).
  [[nodiscard]] OAuthResult<Unit> revoke(std::string_view token, const Client& client);

 private:
  const SigningKeys& keys_;
  storage::RevocationRepository& revocations_;
  storage::RefreshTokenRepository& refresh_tokens_;
  storage::GrantRepository& grants_;
  const Clock& clock_;
  const std::string issuer_;
};

}  // namespace keyward::grants
