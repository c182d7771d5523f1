#pragma once
// The refresh token grant (RFC 6749 §6) with rotation on every use and reuse detection
// (RFC 9700 §4.14.2): the presented token is exchanged for a new access token and a new
// refresh token in one atomic statement; presenting a token that was already rotated
// revokes the whole grant, so every access and refresh token issued from it dies. Of two
// concurrent uses of one token exactly one wins and the loser revokes the grant.
#include <span>
#include <string_view>

#include "grants/grant_handler.h"
#include "grants/token_issuer.h"
#include "storage/refresh_token_repository.h"

namespace keyward::grants {

class RefreshTokenGrant final : public GrantHandler {
 public:
  RefreshTokenGrant(storage::RefreshTokenRepository& tokens, const TokenIssuer& issuer);

  [[nodiscard]] std::string_view grant_type() const override;
  [[nodiscard]] std::span<const std::string_view> parameters() const override;
  [[nodiscard]] OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                  const Client& client) override;

 private:
  storage::RefreshTokenRepository& tokens_;
  const TokenIssuer& issuer_;
};

}  // namespace keyward::grants
