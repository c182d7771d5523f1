#pragma once
// The authorization code grant at the token endpoint (RFC 6749 §4.1.3-§4.1.4, RFC 7636
// §4.5-§4.6, OIDC Core §3.1.3): the code is consumed atomically (of two concurrent
// redemptions exactly one wins), must come from the same client with the same
// redirect_uri, and its PKCE challenge must match the code_verifier; a code issued
// without a challenge refuses a code_verifier (PKCE downgrade, RFC 9700 §4.8.2). A second
// use is invalid_grant and revokes the grant, so every token issued from the code dies.
//
// The response: an RFC 9068 access token; a refresh token when the client is registered
// for the refresh_token grant (bound to the browser session unless offline_access was
// granted: see SessionRepository::end); an ID token when openid was granted.
#include <span>
#include <string_view>

#include "audit/event.h"
#include "grants/grant_handler.h"
#include "grants/id_token.h"
#include "grants/token_issuer.h"
#include "storage/code_repository.h"
#include "storage/grant_repository.h"
#include "storage/refresh_token_repository.h"
#include "storage/user_repository.h"

namespace keyward::grants {

class AuthorizationCodeGrant final : public GrantHandler {
 public:
  AuthorizationCodeGrant(storage::CodeRepository& codes, storage::GrantRepository& grants,
                         storage::RefreshTokenRepository& refresh_tokens,
                         storage::UserRepository& users, const TokenIssuer& tokens,
                         const IdTokenIssuer& id_tokens, audit::EventSink& events);

  [[nodiscard]] std::string_view grant_type() const override;
  [[nodiscard]] std::span<const std::string_view> parameters() const override;
  [[nodiscard]] OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                  const Client& client) override;

 private:
  storage::CodeRepository& codes_;
  storage::GrantRepository& grants_;
  storage::RefreshTokenRepository& refresh_tokens_;
  storage::UserRepository& users_;
  const TokenIssuer& tokens_;
  const IdTokenIssuer& id_tokens_;
  audit::EventSink& events_;  // code_replayed
};

}  // namespace keyward::grants
