#pragma once
// What the sample resource server reports at /metrics besides its requests
// (http/request_metrics.h) and its process: token verifications by result and JWKS fetches
// by reason and result. Counters only, each registered up front: recording is one relaxed
// increment.
#include <array>
#include <cstddef>
#include <string_view>

#include "jose/status.h"
#include "metrics/registry.h"
#include "resource_server/jwks_cache.h"

namespace keyward::rs {

// The result label of a verification: "valid"; "missing" (no token), "malformed_request"
// (RFC 6750 invalid_request), "keys_unavailable" (503); or why a token was refused:
// "expired", "not_yet_valid", "unknown_kid", "bad_signature", "wrong_audience",
// "wrong_issuer", "malformed_token", "invalid" (any other check).
enum class VerificationResult {
  Valid,
  Missing,
  MalformedRequest,
  KeysUnavailable,
  Expired,
  NotYetValid,
  UnknownKid,
  BadSignature,
  WrongAudience,
  WrongIssuer,
  MalformedToken,
  Invalid,
};
inline constexpr std::size_t kVerificationResults = 12;
[[nodiscard]] std::string_view to_string(VerificationResult result);
[[nodiscard]] VerificationResult refused_because(jose::Status status);

class RsMetrics {
 public:
  explicit RsMetrics(metrics::Registry& registry);

  void verified(VerificationResult result) noexcept {
    verifications_[static_cast<std::size_t>(result)]->inc();
  }
  // A JwksEventSink's work: fetches by reason and result, and stale serving.
  void jwks_event(const JwksEvent& event) noexcept;

 private:
  std::array<metrics::Counter*, kVerificationResults> verifications_{};
  std::array<std::array<metrics::Counter*, 2>, 3> fetches_{};  // [reason][ok, failed]
  metrics::Counter* stale_ = nullptr;
  metrics::Gauge* keys_ = nullptr;
};

}  // namespace keyward::rs
