#pragma once
// The UserInfo endpoint's logic (OIDC Core §5.3), without HTTP: the Bearer access token
// must be one of ours, issued for UserInfo, live (its grant not revoked, its jti not
// revoked, its user enabled) and carry the openid scope; the answer is the user's claims
// for the token's scope (grants/id_token.h user_claims), with the same `sub` as the ID
// token.
//
// Issued for UserInfo: UserInfo is a resource of Keyward itself, so the token's aud must
// name the issuer (RFC 7519 §4.1.3, RFC 9068 §4). Keyward issues that aud to every token
// of a client with no registered audience, and adds it to every token granted openid
// (grants/token_issuer.h), so tokens from the code flow for openid are served. A token
// whose aud names only other resource servers (say, a client-credentials token for
// https://api.example) is invalid_token here: it was not meant to be spent at UserInfo.
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
};

}  // namespace keyward::grants
