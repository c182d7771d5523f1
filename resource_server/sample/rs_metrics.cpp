#include "resource_server/sample/rs_metrics.h"

#include <string>

namespace keyward::rs {

std::string_view to_string(VerificationResult result) {
  switch (result) {
    case VerificationResult::Valid:
      return "valid";
    case VerificationResult::Missing:
      return "missing";
    case VerificationResult::MalformedRequest:
      return "malformed_request";
    case VerificationResult::KeysUnavailable:
      return "keys_unavailable";
    case VerificationResult::Expired:
      return "expired";
    case VerificationResult::NotYetValid:
      return "not_yet_valid";
    case VerificationResult::UnknownKid:
      return "unknown_kid";
    case VerificationResult::BadSignature:
      return "bad_signature";
    case VerificationResult::WrongAudience:
      return "wrong_audience";
    case VerificationResult::WrongIssuer:
      return "wrong_issuer";
    case VerificationResult::MalformedToken:
      return "malformed_token";
    case VerificationResult::Invalid:
      return "invalid";
  }
  return "invalid";
}

VerificationResult refused_because(jose::Status status) {
  using jose::Status;
  switch (status) {
    case Status::JwtExpired:
      return VerificationResult::Expired;
    case Status::JwtNotYetValid:
    case Status::JwtIatInFuture:
      return VerificationResult::NotYetValid;
    case Status::JwtKidUnknown:
      return VerificationResult::UnknownKid;
    case Status::JwtSignatureInvalid:
      return VerificationResult::BadSignature;
    case Status::JwtAudienceMismatch:
      return VerificationResult::WrongAudience;
    case Status::JwtIssuerMismatch:
      return VerificationResult::WrongIssuer;
    case Status::JwtBadFormat:
    case Status::JwtHeaderBadJson:
    case Status::JwtPayloadBadJson:
      return VerificationResult::MalformedToken;
    default:
      return VerificationResult::Invalid;
  }
}

RsMetrics::RsMetrics(metrics::Registry& registry) {
  for (std::size_t i = 0; i < kVerificationResults; ++i) {
    verifications_[i] =
        &registry.counter("keyward_rs_token_verifications_total",
                          "Bearer tokens checked by the resource server, by result.",
                          {{"result", std::string(to_string(static_cast<VerificationResult>(i)))}});
  }
  const JwksFetchReason reasons[] = {JwksFetchReason::Expired, JwksFetchReason::UnknownKid,
                                     JwksFetchReason::Refresh};
  for (const auto reason : reasons) {
    for (std::size_t ok = 0; ok < 2; ++ok) {
      fetches_[static_cast<std::size_t>(reason)][ok] = &registry.counter(
          "keyward_rs_jwks_fetches_total",
          "JWKS fetches from the issuer, by reason (expired, unknown_kid, refresh) and result.",
          {{"reason", std::string(to_string(reason))}, {"result", ok == 0 ? "ok" : "failed"}});
    }
  }
  stale_ = &registry.counter("keyward_rs_jwks_stale_total",
                             "Times the JWKS could not be refreshed and expired keys were kept "
                             "in use (stale-if-error).");
  keys_ = &registry.gauge("keyward_rs_jwks_keys", "Usable keys in the JWKS last fetched.");
}

void RsMetrics::jwks_event(const JwksEvent& event) noexcept {
  const auto reason = static_cast<std::size_t>(event.reason);
  switch (event.kind) {
    case JwksEvent::Kind::Fetched:
      fetches_[reason][0]->inc();
      keys_->set(static_cast<double>(event.keys));
      break;
    case JwksEvent::Kind::FetchFailed:
      fetches_[reason][1]->inc();
      break;
    case JwksEvent::Kind::ServingStale:
      stale_->inc();
      break;
  }
}

}  // namespace keyward::rs
