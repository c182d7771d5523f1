#pragma once
// The UserInfo endpoint's logic (OIDC Core §5.3), without HTTP: the Bearer access token
// must be one of ours, issued for UserInfo, live (its grant not revoked, its jti not
// revoked, its user enabled) and carry the openid scope; the answer is the user's claims
// for the token's scope (grants/id_token.h user_claims), with the same `sub` as the ID
// token.
//
// Issued for UserInfo: the token's aud names Keyward itself (the issuer: every token of a
// client that registered no audience), or the token was granted openid, which is the
// client's request for UserInfo (OIDC Core §3.1.2.1, §5.3) and whose aud is then the
// client's own audiences as grants/token_issuer.h writes them. So every token of the code
// flow for openid is served, and a token meant only for other resource servers (say a
// client-credentials token for https://api.example) is invalid_token here, not merely short
// of a scope (RFC 6750 §3.1).
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "grants/oauth_error.h"
#include "grants/signing_keys.h"
#include "jose/jwt.h"
#include "storage/revocation_repository.h"
#include "storage/user_repository.h"

namespace keyward::grants {

class UserInfo {
 public:
  UserInfo(const SigningKeys& keys, storage::RevocationRepository& revocations,
           storage::UserRepository& users, const Clock& clock, std::string issuer);

  // invalid_token (401) for a token that is not ours, not issued for the issuer,
  // expired, revoked or whose user is gone; insufficient_scope (403) without openid (RFC 6750
  // §3.1). A storage failure is server_error / temporarily_unavailable.
  [[nodiscard]] OAuthResult<nlohmann::json> claims(std::string_view access_token);

 private:
  const SigningKeys& keys_;
  storage::RevocationRepository& revocations_;
  storage::UserRepository& users_;
  const Clock& clock_;
  const std::string issuer_;

  [[nodiscard]] std::optional<jose::Jwt> issued_for_userinfo(std::string_view access_token,
                                                             TimePoint now) const;
};

}  // namespace keyward::grants
