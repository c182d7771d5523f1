#include "grants/introspection.h"

#include <algorithm>

#include "grants/access_token_verification.h"
#include "grants/client_storage_failure.h"
#include "grants/token_issuer.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

using json = nlohmann::json;

json inactive() {
  return json{{wire::kActive, false}};
}

// RFC 7519 §4.1.3: aud is one string or an array of strings.
bool audience_names(const json& claims, std::string_view client_id) {
  auto aud = claims.find(wire::kAud);
  if (aud == claims.end()) return false;
  if (aud->is_string()) return aud->get_ref<const std::string&>() == client_id;
  if (!aud->is_array()) return false;
  return std::any_of(aud->begin(), aud->end(), [&](const json& a) {
    return a.is_string() && a.get_ref<const std::string&>() == client_id;
  });
}

}  // namespace

Introspection::Introspection(const SigningKeys& keys, storage::RevocationRepository& revocations,
                             storage::RefreshTokenRepository& refresh_tokens, const Clock& clock,
                             std::string issuer)
    : keys_(keys),
      revocations_(revocations),
      refresh_tokens_(refresh_tokens),
      clock_(clock),
      issuer_(std::move(issuer)) {}

OAuthResult<json> Introspection::introspect(std::string_view token, const Client& caller) {
  const TimePoint now = clock_.now();
  if (token.empty() || token.size() > jose::Jwt::kMaxCompactSize) return inactive();
  return looks_like_jwt(token) ? access_token(token, caller, now)
                               : refresh_token(token, caller, now);
}

OAuthResult<json> Introspection::access_token(std::string_view token, const Client& caller,
                                              TimePoint now) {
  // Any audience: the per-caller rule below decides who may learn about the token.
  auto jwt = verify_own_access_token(token, keys_, issuer_, AnyAudience{}, now);
  if (!jwt) return inactive();
  const json& c = jwt->claims();
  // Before the database: a caller that may not know gets the answer a dead token gets.
  if (!caller.may_introspect && !audience_names(c, caller.id)) return inactive();
  auto active = revocations_.access_token_active(c[wire::kGid].get_ref<const std::string&>(),
                                                 c[wire::kJti].get_ref<const std::string&>(), now);
  if (!active.ok()) return err(storage_failure(active.error(), "introspection"));
  if (!*active) return inactive();
  json out = {
      {wire::kActive, true},
      {wire::kScope, c[wire::kScope]},
      {wire::kClientId, c[wire::kClientId]},
      {wire::kSub, c[wire::kSub]},
      {wire::kIss, c[wire::kIss]},
      {wire::kExp, c[wire::kExp]},
      {wire::kIat, c[wire::kIat]},
      {wire::kJti, c[wire::kJti]},
      {wire::kTokenType, wire::kBearer},
  };
  if (c.contains(wire::kAud)) out[wire::kAud] = c[wire::kAud];
  return out;
}

OAuthResult<json> Introspection::refresh_token(std::string_view token, const Client& caller,
                                               TimePoint now) {
  auto found = refresh_tokens_.find_active(TokenIssuer::refresh_token_hash(token), now);
  if (!found.ok()) return err(storage_failure(found.error(), "introspection"));
  if (!*found) return inactive();
  const auto& t = **found;
  // A refresh token belongs to its client (RFC 6749 §10.4): nobody else learns about it.
  if (t.client_id != caller.id) return inactive();
  std::string scope;
  for (const auto& s : t.scopes) {
    if (!scope.empty()) scope += ' ';
    scope += s;
  }
  return json{
      {wire::kActive, true},
      {wire::kScope, scope},
      {wire::kClientId, t.client_id},
      {wire::kSub, t.user_id.value_or(t.client_id)},
      {wire::kIss, issuer_},
      {wire::kExp, unix_seconds(t.expires_at)},
      {wire::kIat, unix_seconds(t.created_at)},
      {wire::kTokenType, wire::kRefreshTokenType},
  };
}

}  // namespace keyward::grants
