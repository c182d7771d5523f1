#pragma once
// The UserInfo endpoint's logic (OIDC Core §5.3), without HTTP: the Bearer access token
// must be one of ours, live (its grant not revoked, its jti not revoked, its user
// enabled) and carry the openid scope; the answer is the user's claims for the token's
// scope (grants/id_token.h user_claims), with the same `sub` as the ID token.
//
// The token's audience is not checked: its aud names the client's resource servers
// (RFC 9068), and UserInfo serves any token that was granted openid.
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "grants/oauth_error.h"
#include "grants/signing_keys.h"
#include "storage/revocation_repository.h"
#include "storage/user_repository.h"

namespace keyward::grants {

class UserInfo {
 public:
  UserInfo(const SigningKeys& keys, storage::RevocationRepository& revocations,
           storage::UserRepository& users, const Clock& clock, std::string issuer);

  // invalid_token (401) for a token that is not ours, expired, revoked or whose user is
  // gone; insufficient_scope (403) without openid (RFC 6750 §3.1). A storage failure is
  // server_error / temporarily_unavailable.
  [[nodiscard]] OAuthResult<nlohmann::json> claims(std::string_view access_token);

 private:
  const SigningKeys& keys_;
  storage::RevocationRepository& revocations_;
  storage::UserRepository& users_;
  const Clock& clock_;
  const std::string issuer_;
};

}  // namespace keyward::grants
