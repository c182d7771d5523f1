#include "grants/id_token.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "common/base64url.h"
#include "common/crypto.h"
#include "grants/wire.h"
#include "jose/jws.h"

namespace keyward::grants {
namespace {

using json = nlohmann::json;

std::string sha512(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, EVP_sha512(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(SHA-512) failed");
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

}  // namespace

json user_claims(const User& user, const ScopeSet& scope) {
  json claims = {{wire::kSub, user.id}};
  if (scope.count(std::string(kProfileScope)) != 0) {
    claims[wire::kPreferredUsername] = user.username;
    if (!user.given_name.empty()) claims[wire::kGivenName] = user.given_name;
    if (!user.family_name.empty()) claims[wire::kFamilyName] = user.family_name;
    std::string name = user.given_name;
    if (!user.family_name.empty()) name += (name.empty() ? "" : " ") + user.family_name;
    if (!name.empty()) claims[wire::kName] = name;
  }
  if (scope.count(std::string(kEmailScope)) != 0 && !user.email.empty()) {
    claims[wire::kEmail] = user.email;
    claims[wire::kEmailVerified] = user.email_verified;
  }
  return claims;
}

std::string at_hash(std::string_view access_token, jose::Alg alg) {
  const std::string digest = alg == jose::Alg::EdDSA ? sha512(access_token) : sha256(access_token);
  return base64url_encode(std::string_view(digest).substr(0, digest.size() / 2));
}

IdTokenIssuer::IdTokenIssuer(const SigningKeys& keys, const Clock& clock, IdTokenConfig config)
    : keys_(keys), clock_(clock), config_(std::move(config)) {}

OAuthResult<std::string> IdTokenIssuer::issue(const IdTokenClaims& c) const {
  const auto key = keys_.active();
  if (!key) {
    return err(OAuthError::temporarily_unavailable("no signing key is active yet",
                                                   std::chrono::seconds(1)));
  }
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
  json claims = user_claims(c.user, c.scope);
  claims[wire::kIss] = config_.issuer;
  // OIDC Core §2: aud MAY be an array; a single client is a string, and azp names the
  // party the token was issued to.
  claims[wire::kAud] = c.client_id;
  claims[wire::kAzp] = c.client_id;
  claims[wire::kIat] = unix_seconds(now);
  claims[wire::kExp] = unix_seconds(now + config_.ttl);
  claims[wire::kAuthTime] = unix_seconds(c.auth_time);
  if (!c.amr.empty()) claims[wire::kAmr] = json::array({c.amr});
  if (c.nonce) claims[wire::kNonce] = *c.nonce;
  if (!c.access_token.empty()) claims[wire::kAtHash] = at_hash(c.access_token, key->alg);
  return key->id_token.sign(claims);
}

std::optional<jose::Jwt> IdTokenIssuer::verify_hint(std::string_view id_token) const {
  if (id_token.empty() || id_token.size() > jose::Jwt::kMaxCompactSize) return std::nullopt;
  auto jwt = jose::Jwt::parse(id_token);
  if (!jwt.ok()) return std::nullopt;
  const json& claims = jwt->claims();
  auto is_string = [&](std::string_view name) {
    auto it = claims.find(name);
    return it != claims.end() && it->is_string();
  };
  if (!is_string(wire::kIss) || claims[wire::kIss] != config_.issuer) return std::nullopt;
  if (!is_string(wire::kSub) || !is_string(wire::kAud)) return std::nullopt;
  // Our ID tokens say typ JWT; an access token (at+jwt) is no hint.
  if (jwt->header().typ() != wire::kJwt) return std::nullopt;
  const auto published = keys_.published();
  if (!published) return std::nullopt;
  if (jose::verify_signature(*jwt, *published, jose::kAllAlgs) != jose::Status::Ok) {
    return std::nullopt;
  }
  return std::move(jwt).value();
}

}  // namespace keyward::grants
