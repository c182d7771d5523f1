#include "grants/access_token_verification.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "grants/wire.h"
#include "jose/alg.h"
#include "jose/verify.h"

namespace keyward::grants {
namespace {

using json = nlohmann::json;

jose::ClaimPolicy policy_for(const std::string& issuer, const AudiencePolicy& audience) {
  jose::ClaimPolicy policy;
  policy.issuer = issuer;
  policy.typ = std::string(wire::kAtJwt);
  policy.required_claims = {std::string(wire::kExp), std::string(wire::kIat)};
  if (const auto* fixed = std::get_if<Audiences>(&audience)) {
    policy.audiences = fixed->names;
  } else {
    policy.any_audience = true;
  }
  return policy;
}

bool is_string(const json& claims, std::string_view name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string();
}

}  // namespace

bool looks_like_jwt(std::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 2;
}

std::optional<jose::Jwt> verify_own_access_token(std::string_view token, const SigningKeys& keys,
                                                 const std::string& issuer,
                                                 const AudiencePolicy& audience, TimePoint now) {
  const auto published = keys.published();
  if (!published) return std::nullopt;
  // verify_jwt checks the signature last: garbage, foreign and expired tokens cost no RSA
  // operation.
  auto jwt = jose::verify_jwt(token, *published, jose::kAllAlgs, policy_for(issuer, audience), now);
  if (!jwt.ok()) return std::nullopt;
  // validate_claims types iss, exp and iat; the string claims we issue are typed here.
  for (auto name : {wire::kSub, wire::kClientId, wire::kScope, wire::kJti, wire::kGid}) {
    if (!is_string(jwt->claims(), name)) return std::nullopt;
  }
  return std::move(jwt).value();
}

}  // namespace keyward::grants
