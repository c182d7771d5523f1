#include "grants/access_token_verification.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "grants/wire.h"
#include "jose/alg.h"
#include "jose/verify.h"

namespace keyward::grants {
namespace {

using json = nlohmann::json;

// Every audience the token names, so that any of them matches: a token that is not JSON
// or has no aud yields none, and verify_jwt then refuses it or lets it through exactly as
// it would with a fixed list.
std::vector<std::string> audiences_named_by(std::string_view token) {
  std::vector<std::string> names;
  auto jwt = jose::Jwt::parse(token);
  if (!jwt.ok()) return names;
  auto aud = jwt->claims().find(wire::kAud);
  if (aud == jwt->claims().end()) return names;
  if (aud->is_string()) names.push_back(aud->get<std::string>());
  if (aud->is_array()) {
    for (const auto& a : *aud) {
      if (a.is_string()) names.push_back(a.get<std::string>());
    }
  }
  return names;
}

jose::ClaimPolicy policy_for(std::string_view token, const std::string& issuer,
                             const AudiencePolicy& audience) {
  jose::ClaimPolicy policy;
  policy.issuer = issuer;
  policy.typ = std::string(wire::kAtJwt);
  policy.required_claims = {std::string(wire::kExp), std::string(wire::kIat)};
  if (const auto* fixed = std::get_if<Audiences>(&audience)) {
    policy.audiences = fixed->names;
  } else {
    policy.audiences = audiences_named_by(token);
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
  auto jwt =
      jose::verify_jwt(token, *published, jose::kAllAlgs, policy_for(token, issuer, audience), now);
  if (!jwt.ok()) return std::nullopt;
  // validate_claims types iss, exp and iat; the string claims we issue are typed here.
  for (auto name : {wire::kSub, wire::kClientId, wire::kScope, wire::kJti, wire::kGid}) {
    if (!is_string(jwt->claims(), name)) return std::nullopt;
  }
  return std::move(jwt).value();
}

}  // namespace keyward::grants
