#include "grants/signing_keys.h"

#include <gtest/gtest.h>

#include "jose/claims.h"
#include "jose/verify.h"

namespace keyward::grants {
namespace {

TEST(StaticSigningKeys, SignsAccessTokensThatVerifyAgainstItsPublishedKeys) {
  StaticSigningKeys keys(jose::PrivateKey::generate(jose::Alg::ES256));
  const auto active = keys.active();
  ASSERT_NE(active, nullptr);
  const auto now = std::chrono::system_clock::now();
  const auto token = active->access_token.sign(
      {{"iss", "https://issuer.example"}, {"aud", "api"}, {"exp", unix_seconds(now) + 60}});
  jose::ClaimPolicy policy{"https://issuer.example", {"api"}, "at+jwt"};
  const jose::Alg allowed[] = {jose::Alg::ES256};
  auto verified = jose::verify_jwt(token, *keys.published(), allowed, policy, now);
  ASSERT_TRUE(verified.ok()) << jose::to_string(verified.error());
  EXPECT_EQ(verified->header().kid(), active->kid);
}

}  // namespace
}  // namespace keyward::grants
