#pragma once
// OpenID Connect ID tokens (OIDC Core §2, §3.1.3.6) signed with the active key (typ JWT,
// never at+jwt: an ID token must not pass for an access token, RFC 9068 §4), and the
// user claims that both the ID token and /userinfo derive from the granted scopes
// (OIDC Core §5.4).
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "grants/oauth_error.h"
#include "grants/scope.h"
#include "grants/signing_keys.h"
#include "grants/user.h"
#include "grants/wire.h"
#include "jose/alg.h"
#include "jose/jwt.h"

namespace keyward::grants {

// Every claim an ID token (IdTokenIssuer::issue) or a UserInfo answer (user_claims) may
// carry, OIDC Core §2 and §5.1: what discovery lists as claims_supported (OIDC Discovery §3).
inline constexpr std::array<std::string_view, 16> kSupportedClaims = {
    wire::kSub,        wire::kIss,
    wire::kAud,        wire::kExp,
    wire::kIat,        wire::kAuthTime,
    wire::kAmr,        wire::kNonce,
    wire::kAzp,        wire::kAtHash,
    wire::kName,       wire::kGivenName,
    wire::kFamilyName, wire::kPreferredUsername,
    wire::kEmail,      wire::kEmailVerified,
};

// OIDC Core §5.4: `profile` gives name, given_name, family_name and preferred_username
// (those the user has); `email` gives email and email_verified. Always `sub`.
[[nodiscard]] nlohmann::json user_claims(const User& user, const ScopeSet& scope);

// OIDC Core §3.1.3.6: the base64url of the left-most half of the hash of the access
// token's ASCII octets, with the hash of the ID token's alg (SHA-256 for RS256 and ES256,
// SHA-512 for EdDSA over Ed25519).
[[nodiscard]] std::string at_hash(std::string_view access_token, jose::Alg alg);

struct IdTokenConfig {
  std::string issuer;
  std::chrono::seconds ttl{600};
};

struct IdTokenClaims {
  std::string client_id;  // aud and azp
  User user;              // sub and the scoped claims
  ScopeSet scope;
  TimePoint auth_time;
  std::optional<std::string> nonce;  // echoed exactly when the request had one
  std::string access_token;          // for at_hash; empty: no at_hash
  // RFC 8176 §2: how the user signed in ("pwd" or "fed"), sent as a one-element array;
  // empty: no amr claim.
  std::string amr;
};

class IdTokenIssuer {
 public:
  // The keys and the clock must outlive the issuer.
  IdTokenIssuer(const SigningKeys& keys, const Clock& clock, IdTokenConfig config);

  // iss, sub, aud (the client, as a string), exp, iat, auth_time, amr, nonce, at_hash, azp,
  // and the user claims of the scope. temporarily_unavailable while no key is active.
  [[nodiscard]] OAuthResult<std::string> issue(const IdTokenClaims& claims) const;

  // An id_token_hint (RP-Initiated Logout 1.0 §2, OIDC Core §3.1.2.1): one we issued
  // (signature under a published key, our iss, typ JWT, string sub and aud), expired or
  // not, since a hint is often presented after the token expired. nullopt otherwise.
  [[nodiscard]] std::optional<jose::Jwt> verify_hint(std::string_view id_token) const;

 private:
  const SigningKeys& keys_;
  const Clock& clock_;
  const IdTokenConfig config_;
};

}  // namespace keyward::grants
