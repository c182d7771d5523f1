#include "grants/token_issuer.h"

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "grants/wire.h"

namespace keyward::grants {

TokenIssuer::TokenIssuer(const SigningKeys& keys, const Clock& clock, TokenIssuerConfig config)
    : keys_(keys), clock_(clock), config_(std::move(config)) {}

namespace {

OAuthError no_active_key() {
  return OAuthError::temporarily_unavailable("no signing key is active yet",
                                             std::chrono::seconds(1));
}

}  // namespace

OAuthResult<Unit> TokenIssuer::ready() const {
  if (!keys_.active()) return err(no_active_key());
  return Unit{};
}

OAuthResult<IssuedAccessToken> TokenIssuer::access_token(const AccessTokenClaims& c) const {
  const auto key = keys_.active();
  if (!key) return err(no_active_key());
  // Whole seconds: NumericDate values (RFC 7519 §2) and expires_in agree exactly.
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
  TimePoint expires_at = now + config_.access_token_ttl;
  if (c.not_after && *c.not_after < expires_at) {
    expires_at = std::chrono::time_point_cast<std::chrono::seconds>(*c.not_after);
  }
  if (expires_at <= now) {
    return err(OAuthError::invalid_grant("the grant has expired"));
  }

  IssuedAccessToken out;
  // 128 random bits: unique without coordination (RFC 9068 §2.2, RFC 7519 §4.1.7).
  out.jti = random_token(16);
  out.issued_at = now;
  out.expires_at = expires_at;
  out.expires_in = std::chrono::duration_cast<std::chrono::seconds>(expires_at - now);

  nlohmann::json claims = {
      {wire::kIss, config_.issuer},
      {wire::kSub, c.subject},
      {wire::kClientId, c.client_id},
      {wire::kScope, format_scope(c.scope)},
      {wire::kJti, out.jti},
      {wire::kIat, unix_seconds(now)},
      {wire::kExp, unix_seconds(expires_at)},
      {wire::kGid, c.grant_id},
  };
  // RFC 7519 §4.1.3: a single audience as a string, several as an array.
  if (c.audiences.empty()) {
    claims[wire::kAud] = config_.issuer;
  } else if (c.audiences.size() == 1) {
    claims[wire::kAud] = c.audiences.front();
  } else {
    claims[wire::kAud] = c.audiences;
  }
  out.token = key->access_token.sign(claims);
  return out;
}

MintedRefreshToken TokenIssuer::refresh_token() {
  MintedRefreshToken t;
  t.token = random_token();  // 256 bits (DESIGN.md "Tokens")
  t.hash = sha256(t.token);
  return t;
}

std::string TokenIssuer::refresh_token_hash(std::string_view token) {
  return sha256(token);
}

}  // namespace keyward::grants
