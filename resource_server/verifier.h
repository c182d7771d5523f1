#pragma once
// The access-token verifier a resource server links (RFC 9068 §4): a JWT is accepted only if
// its signature verifies under a key of the issuer's JWKS with an algorithm from *our*
// allow-list (the token's alg header only selects among those), its iss, aud, exp/nbf/iat
// (with leeway) and typ "at+jwt" check out, and it carries sub, client_id, iat and jti. Scopes
// are checked by the caller per route (has_scope), so a missing scope is a 403, not a 401.
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "jose/alg.h"
#include "jose/claims.h"
#include "jose/status.h"
#include "resource_server/jwks_cache.h"

namespace keyward::rs {

struct VerifierOptions {
  std::string issuer;
  // The token's aud must name one of these (RFC 9068 §4 step 4).
  std::vector<std::string> audiences;
  // Never from the token (RFC 8725 §3.1): none and HS* cannot be configured at all. By
  // default every algorithm Keyward can sign with, so a rotation to ES256 or EdDSA needs no
  // change here.
  std::vector<jose::Alg> algorithms{jose::Alg::RS256, jose::Alg::ES256, jose::Alg::EdDSA};
  // Clock skew tolerated on exp, nbf and iat.
  std::chrono::seconds leeway{30};
  // Verified tokens remembered (by SHA-256 of the token) until their exp, so a client that
  // reuses its token costs one RSA verification, not one per request; 0 turns it off. Safe
  // because a verified token never changes: its signature and claims were checked, nbf can
  // only become truer, exp is checked again on every hit (without leeway), and a hit counts
  // only while the key that signed it is still in the JWKS.
  size_t token_cache_size = 10000;
};

// What a verified access token says (RFC 9068 §2.2).
struct VerifiedToken {
  std::string subject;    // sub: the user, or the client for client_credentials
  std::string client_id;  // client_id (RFC 8693 §4.3)
  std::string jti;
  std::vector<std::string> scopes;     // scope, split on spaces (RFC 9068 §2.2.3)
  std::vector<std::string> audiences;  // aud, as a list
  TimePoint issued_at{};
  TimePoint expires_at{};
  nlohmann::json claims;  // every claim, for services that want more

  [[nodiscard]] bool has_scope(std::string_view scope) const;
};

struct VerifyError {
  enum class Kind {
    InvalidToken,     // the token is bad: 401 invalid_token
    KeysUnavailable,  // we have no usable keys (issuer unreachable from the start): 503
  } kind = Kind::InvalidToken;
  jose::Status status = jose::Status::Ok;  // for InvalidToken
  std::string detail;                      // for logs only
};

class TokenVerifier {
 public:
  // `keys` and `clock` must outlive the verifier. Thread-safe.
  TokenVerifier(JwksCache& keys, const Clock& clock, VerifierOptions options);

  // Parse, header, claims, then key and signature (jose::verify_jwt), in that order. An unknown
  // kid triggers at most one JWKS refetch (rate-limited by the cache) and one more attempt.
  // May block on a JWKS fetch: call it from a worker thread, not an event loop.
  [[nodiscard]] Result<std::shared_ptr<const VerifiedToken>, VerifyError> verify(
      std::string_view token);

  [[nodiscard]] const VerifierOptions& options() const { return options_; }
  // Entries in the verified-token cache, for tests and metrics.
  [[nodiscard]] size_t cached_tokens() const;

 private:
  struct CacheEntry {
    std::shared_ptr<const VerifiedToken> token;
    std::string kid;
    jose::Alg alg = jose::Alg::RS256;
  };

  [[nodiscard]] std::shared_ptr<const VerifiedToken> lookup(const std::string& digest,
                                                            const jose::Jwks& keys,
                                                            TimePoint now) const;
  void remember(std::string digest, CacheEntry entry, TimePoint now);

  JwksCache& keys_;
  const Clock& clock_;
  VerifierOptions options_;
  jose::ClaimPolicy policy_;

  mutable std::mutex cache_mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
};

}  // namespace keyward::rs
