#include "resource_server/verifier.h"

#include <algorithm>

#include "common/crypto.h"
#include "jose/jwt.h"
#include "jose/verify.h"

namespace keyward::rs {
namespace {

TimePoint numeric_date(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return TimePoint{};
  return TimePoint{} + std::chrono::seconds(static_cast<long long>(it->get<double>()));
}

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < scope.size()) {
    const size_t space = scope.find(' ', start);
    const size_t end = space == std::string_view::npos ? scope.size() : space;
    if (end > start) out.emplace_back(scope.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// RFC 9068 §2.2: sub, client_id and jti are strings, scope (when present) a string. Claims
// that validate_claims does not type-check are checked here, before anything uses them.
Result<std::shared_ptr<const VerifiedToken>, jose::Status> to_verified(const jose::Jwt& jwt) {
  const auto& claims = jwt.claims();
  auto out = std::make_shared<VerifiedToken>();
  for (const auto& [name, field] :
       {std::pair{"sub", &out->subject}, {"client_id", &out->client_id}, {"jti", &out->jti}}) {
    const auto it = claims.find(name);
    if (it == claims.end()) return err(jose::Status::JwtMissingClaim);
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return err(jose::Status::JwtClaimBadType);
    }
    *field = it->get<std::string>();
  }
  if (const auto scope = claims.find("scope"); scope != claims.end()) {
    if (!scope->is_string()) return err(jose::Status::JwtClaimBadType);
    out->scopes = split_scope(scope->get_ref<const std::string&>());
  }
  if (const auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) {
      out->audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const auto& a : *aud) {
        if (a.is_string()) out->audiences.push_back(a.get<std::string>());
      }
    }
  }
  out->issued_at = numeric_date(claims, "iat");
  out->expires_at = numeric_date(claims, "exp");
  out->claims = claims;
  return std::shared_ptr<const VerifiedToken>(std::move(out));
}

}  // namespace

bool VerifiedToken::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

TokenVerifier::TokenVerifier(JwksCache& keys, const Clock& clock, VerifierOptions options)
    : keys_(keys), clock_(clock), options_(std::move(options)) {
  policy_.issuer = options_.issuer;
  policy_.audiences = options_.audiences;
  // RFC 9068 §4: the typ header MUST be at+jwt, which also keeps ID tokens (typ JWT) out.
  policy_.typ = "at+jwt";
  policy_.leeway = options_.leeway;
  // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are REQUIRED. iss is always
  // checked and aud is checked against our audiences by validate_claims.
  policy_.required_claims = {"exp", "iat", "sub", "client_id", "jti"};
}

size_t TokenVerifier::cached_tokens() const {
  std::lock_guard lock(cache_mutex_);
  return cache_.size();
}

std::shared_ptr<const VerifiedToken> TokenVerifier::lookup(const std::string& digest,
                                                           const jose::Jwks& keys,
                                                           TimePoint now) const {
  std::lock_guard lock(cache_mutex_);
  const auto it = cache_.find(digest);
  if (it == cache_.end()) return nullptr;
  const CacheEntry& entry = it->second;
  // exp again, without leeway; and the signing key must still be published.
  if (now >= entry.token->expires_at) return nullptr;
  if (keys.find(entry.kid, entry.alg) == nullptr) return nullptr;
  return entry.token;
}

void TokenVerifier::remember(std::string digest, CacheEntry entry, TimePoint now) {
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= options_.token_cache_size) {
    std::erase_if(cache_, [now](const auto& kv) { return now >= kv.second.token->expires_at; });
    // Still full of live tokens: start over rather than track recency on the hot path.
    if (cache_.size() >= options_.token_cache_size) cache_.clear();
  }
  cache_.insert_or_assign(std::move(digest), std::move(entry));
}

Result<std::shared_ptr<const VerifiedToken>, VerifyError> TokenVerifier::verify(
    std::string_view token) {
  auto keys = keys_.get();
  if (!keys.ok()) {
    return err(VerifyError{VerifyError::Kind::KeysUnavailable, jose::Status::Ok, keys.error()});
  }
  JwksCache::Keys jwks = std::move(keys).value();
  const TimePoint now = clock_.now();

  std::string digest;
  if (options_.token_cache_size > 0 && token.size() <= jose::Jwt::kMaxCompactSize) {
    digest = sha256(token);
    if (auto hit = lookup(digest, *jwks, now)) return hit;
  }

  auto verified = jose::verify_jwt(token, *jwks, options_.algorithms, policy_, now);
  if (!verified.ok() && verified.error() == jose::Status::JwtKidUnknown) {
    // A key published after our last fetch (rotation), or a made-up kid: the cache decides
    // whether a refetch is due.
    if (auto newer = keys_.refetch_for_unknown_kid(jwks)) {
      jwks = std::move(*newer);
      verified = jose::verify_jwt(token, *jwks, options_.algorithms, policy_, now);
    }
  }
  if (!verified.ok()) {
    return err(VerifyError{VerifyError::Kind::InvalidToken, verified.error(),
                           std::string(jose::to_string(verified.error()))});
  }
  auto result = to_verified(verified.value());
  if (!result.ok()) {
    return err(VerifyError{VerifyError::Kind::InvalidToken, result.error(),
                           std::string(jose::to_string(result.error()))});
  }
  auto out = std::move(result).value();
  // Only tokens still inside their exp without leeway are remembered.
  if (!digest.empty() && now < out->expires_at) {
    const auto& header = verified->header();
    const auto alg = jose::parse_alg(header.alg());
    if (alg) remember(std::move(digest), CacheEntry{out, header.kid(), *alg}, now);
  }
  return out;
}

}  // namespace keyward::rs
