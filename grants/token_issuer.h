#pragma once
// Token issuance (DESIGN.md "Tokens"): RFC 9068 JWT access tokens signed with the active
// key, and opaque refresh tokens of 256 random bits stored as SHA-256 digests only.
// Issuing an access token costs one signature and no database write.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "grants/oauth_error.h"
#include "grants/scope.h"
#include "grants/signing_keys.h"

namespace keyward::grants {

struct TokenIssuerConfig {
  std::string issuer;
  std::chrono::seconds access_token_ttl{600};
  std::chrono::seconds refresh_token_ttl{2592000};
};

// What an access token says (RFC 9068 §2.2).
struct AccessTokenClaims {
  std::string subject;  // the user's id, or the client's for client credentials
  std::string client_id;
  // The client's registered audiences; empty means the issuer itself (its own resources,
  // such as userinfo), since RFC 9068 §2.2 requires an aud.
  std::vector<std::string> audiences;
  ScopeSet scope;
  std::string grant_id;
  // The grant's expiry: no token outlives its grant.
  std::optional<TimePoint> not_after;
};

struct IssuedAccessToken {
  std::string token;
  std::string jti;
  TimePoint issued_at;
  TimePoint expires_at;
  std::chrono::seconds expires_in{0};
};

// A refresh token to hand out and the digest to store.
struct MintedRefreshToken {
  std::string token;
  std::string hash;  // SHA-256 of token
};

class TokenIssuer {
 public:
  // The keys and the clock must outlive the issuer.
  TokenIssuer(const SigningKeys& keys, const Clock& clock, TokenIssuerConfig config);

  // temporarily_unavailable (Retry-After 1 s) while no key is active.
  [[nodiscard]] OAuthResult<IssuedAccessToken> access_token(const AccessTokenClaims& claims) const;

  // Ok when a key is active. Checked before a step that cannot be undone (a refresh-token
  // rotation), so the client is not left holding a rotated token and no access token.
  [[nodiscard]] OAuthResult<Unit> ready() const;

  [[nodiscard]] static MintedRefreshToken refresh_token();
  // The digest under which a presented refresh token is looked up.
  [[nodiscard]] static std::string refresh_token_hash(std::string_view token);

  [[nodiscard]] TimePoint now() const { return clock_.now(); }
  [[nodiscard]] const TokenIssuerConfig& config() const { return config_; }

 private:
  const SigningKeys& keys_;
  const Clock& clock_;
  const TokenIssuerConfig config_;
};

}  // namespace keyward::grants
