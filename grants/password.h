#pragma once
// The resource owner password credentials grant (RFC 6749 §4.3). RFC 9700 §2.4 says it
// MUST NOT be used; Keyward keeps it for first-party apps that cannot do better: it is
// registered only when KEYWARD_PASSWORD_GRANT is on (otherwise the token endpoint answers
// unsupported_grant_type), and a client only gets it when it is confidential, marked
// first-party and registered with grant type "password" (else unauthorized_client; a
// public client cannot even register for it). Users are checked by
// UserAuthenticator (Argon2id, throttled per account and per address, one answer for
// unknown users, wrong passwords and disabled accounts). Each success creates a grant and,
// when the client may refresh, its first refresh token, in one statement.
#include <span>
#include <string_view>

#include "grants/grant_handler.h"
#include "grants/token_issuer.h"
#include "grants/user_authenticator.h"
#include "storage/grant_repository.h"

namespace keyward::grants {

class PasswordGrant final : public GrantHandler {
 public:
  PasswordGrant(UserAuthenticator& users, storage::GrantRepository& grants,
                const TokenIssuer& issuer);

  [[nodiscard]] std::string_view grant_type() const override;
  [[nodiscard]] std::span<const std::string_view> parameters() const override;
  [[nodiscard]] OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                  const Client& client) override;

 private:
  UserAuthenticator& users_;
  storage::GrantRepository& grants_;
  const TokenIssuer& issuer_;
};

}  // namespace keyward::grants
