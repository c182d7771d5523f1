// The sample resource server's counters (resource_server/sample/rs_metrics.h).
#include "resource_server/sample/rs_metrics.h"

#include <gtest/gtest.h>

namespace keyward::rs {
namespace {

bool has(const metrics::Registry& r, const std::string& line) {
  return r.render().find(line + "\n") != std::string::npos;
}

TEST(RsMetrics, VerificationsByResultEachFromZero) {
  metrics::Registry r;
  RsMetrics m(r);
  m.verified(VerificationResult::Valid);
  m.verified(VerificationResult::Valid);
  m.verified(refused_because(jose::Status::JwtExpired));
  m.verified(refused_because(jose::Status::JwtSignatureInvalid));
  m.verified(refused_because(jose::Status::JwtTypMismatch));
  EXPECT_TRUE(has(r, R"(keyward_rs_token_verifications_total{result="valid"} 2)"));
  EXPECT_TRUE(has(r, R"(keyward_rs_token_verifications_total{result="expired"} 1)"));
  EXPECT_TRUE(has(r, R"(keyward_rs_token_verifications_total{result="bad_signature"} 1)"));
  EXPECT_TRUE(has(r, R"(keyward_rs_token_verifications_total{result="invalid"} 1)"));
  EXPECT_TRUE(has(r, R"(keyward_rs_token_verifications_total{result="keys_unavailable"} 0)"));
  EXPECT_EQ(refused_because(jose::Status::JwtKidUnknown), VerificationResult::UnknownKid);
  EXPECT_EQ(refused_because(jose::Status::JwtAudienceMismatch), VerificationResult::WrongAudience);
  EXPECT_EQ(refused_because(jose::Status::JwtBadFormat), VerificationResult::MalformedToken);
}

TEST(RsMetrics, JwksFetchesByReasonAndResult) {
  metrics::Registry r;
  RsMetrics m(r);
  m.jwks_event({JwksEvent::Kind::Fetched, "fetched", JwksFetchReason::Refresh, 2});
  m.jwks_event({JwksEvent::Kind::FetchFailed, "down", JwksFetchReason::UnknownKid});
  m.jwks_event({JwksEvent::Kind::ServingStale, "stale"});
  EXPECT_TRUE(has(r, R"(keyward_rs_jwks_fetches_total{reason="refresh",result="ok"} 1)"));
  EXPECT_TRUE(has(r, R"(keyward_rs_jwks_fetches_total{reason="unknown_kid",result="failed"} 1)"));
  EXPECT_TRUE(has(r, R"(keyward_rs_jwks_fetches_total{reason="expired",result="ok"} 0)"));
  EXPECT_TRUE(has(r, "keyward_rs_jwks_stale_total 1"));
  EXPECT_TRUE(has(r, "keyward_rs_jwks_keys 2"));
}

}  // namespace
}  // namespace keyward::rs
