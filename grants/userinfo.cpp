#include "grants/userinfo.h"

#include <algorithm>

#include "grants/access_token_verification.h"
#include "grants/client_storage_failure.h"
#include "grants/id_token.h"
#include "grants/user.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::string_view kInvalid = "the access token is invalid, expired or revoked";

}  // namespace

UserInfo::UserInfo(const SigningKeys& keys, storage::RevocationRepository& revocations,
                   storage::UserRepository& users, const Clock& clock, std::string issuer)
    : keys_(keys),
      revocations_(revocations),
      users_(users),
      clock_(clock),
      issuer_(std::move(issuer)) {}

std::optional<jose::Jwt> UserInfo::issued_for_userinfo(std::string_view access_token,
                                                       TimePoint now) const {
  // One verification; which audiences count is decided here (grants/userinfo.h).
  auto jwt = verify_own_access_token(access_token, keys_, issuer_, AnyAudience{}, now);
  if (!jwt) return std::nullopt;
  const auto& claims = jwt->claims();
  const auto aud = claims.find(wire::kAud);  // verified: absent, a string or strings
  const bool names_us =
      aud != claims.end() &&
      (aud->is_array() ? std::find(aud->begin(), aud->end(), issuer_) != aud->end()
                       : *aud == issuer_);
  if (names_us) return jwt;
  const auto scope = parse_scope(claims[wire::kScope].get_ref<const std::string&>());
  if (!scope || scope->count(std::string(kOpenIdScope)) == 0) return std::nullopt;
  return jwt;
}

OAuthResult<nlohmann::json> UserInfo::claims(std::string_view access_token) {
  const TimePoint now = clock_.now();
  auto jwt = issued_for_userinfo(access_token, now);
  if (!jwt) return err(OAuthError::invalid_token(std::string(kInvalid)));
  const auto& c = jwt->claims();
  auto active = revocations_.access_token_active(c[wire::kGid].get_ref<const std::string&>(),
                                                 c[wire::kJti].get_ref<const std::string&>(), now);
  if (!active.ok()) return err(storage_failure(active.error(), "userinfo"));
  if (!*active) return err(OAuthError::invalid_token(std::string(kInvalid), "revoked"));

  auto scope = parse_scope(c[wire::kScope].get_ref<const std::string&>());
  if (!scope) scope = ScopeSet{};
  // OIDC Core §5.3: the access token must have been granted openid.
  if (scope->count(std::string(kOpenIdScope)) == 0) {
    return err(OAuthError::insufficient_scope("the access token was not granted openid"));
  }
  // A client-credentials token has openid only if a client was registered with it; its
  // sub is the client, which is no user.
  auto found = users_.find_by_id(c[wire::kSub].get_ref<const std::string&>());
  if (!found.ok()) return err(storage_failure(found.error(), "userinfo user"));
  if (!*found || (*found)->disabled) {
    return err(OAuthError::invalid_token(std::string(kInvalid), "no such user"));
  }
  return user_claims(to_user(**found), *scope);
}

}  // namespace keyward::grants
