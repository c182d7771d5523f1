// ID tokens (OIDC Core §2, §3.1.3.6) and the scoped user claims shared with /userinfo.
#include "grants/id_token.h"

#include <gtest/gtest.h>

#include "jose/claims.h"
#include "jose/jws.h"
#include "tests/unit/grants/alice.h"

namespace keyward::grants {
namespace {

using json = nlohmann::json;

using test::alice;

TEST(IdToken, OidcCore_3_1_3_6_AtHashVector) {
  // The access token and at_hash of OIDC Core's A.3 example (RS256).
  EXPECT_EQ(at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", jose::Alg::RS256),
            "77QmUPtjPfzWtF2AnpK9RQ");
  // EdDSA (Ed25519) uses SHA-512: 32 bytes of it, 43 characters.
  EXPECT_EQ(at_hash("token", jose::Alg::EdDSA).size(), 43u);
}

TEST(IdToken, OidcCore_5_4_ClaimsFollowTheScope) {
  EXPECT_EQ(user_claims(alice(), {"openid"}), (json{{"sub", alice().id}}));
  EXPECT_EQ(user_claims(alice(), {"openid", "profile"}), (json{{"sub", alice().id},
                                                               {"preferred_username", "alice"},
                                                               {"given_name", "Alice"},
                                                               {"family_name", "Liddell"},
                                                               {"name", "Alice Liddell"}}));
  EXPECT_EQ(user_claims(alice(), {"openid", "email"}),
            (json{{"sub", alice().id}, {"email", "alice@example.com"}, {"email_verified", true}}));
  User bare = alice();
  bare.given_name.clear();
  bare.family_name.clear();
  bare.email.clear();
  EXPECT_EQ(user_claims(bare, {"openid", "profile", "email"}),
            (json{{"sub", bare.id}, {"preferred_username", "alice"}}));
}

class IdTokenIssuing : public ::testing::Test {
 protected:
  jose::PrivateKey key_ = jose::PrivateKey::generate(jose::Alg::RS256);
  StaticSigningKeys keys_{key_, "k1"};
  FixedClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  IdTokenIssuer issuer_{keys_, clock_,
                        IdTokenConfig{"https://id.example", std::chrono::seconds(600)}};
};

TEST_F(IdTokenIssuing, OidcCore_2_SignedTokenCarriesEveryClaim) {
  IdTokenClaims c;
  c.client_id = "app";
  c.user = alice();
  c.scope = {"openid", "email"};
  c.auth_time = TimePoint(std::chrono::seconds(1'799'999'000));
  c.nonce = "n-0S6";
  c.access_token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
  c.amr = "fed";
  auto token = issuer_.issue(c);
  ASSERT_TRUE(token.ok());
  auto jwt = jose::Jwt::parse(*token);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->header().typ(), "JWT");
  EXPECT_EQ(jwt->header().kid(), "k1");
  EXPECT_EQ(jose::verify_signature(*jwt, *keys_.published(), jose::kAllAlgs), jose::Status::Ok);
  EXPECT_EQ(jwt->claims(), (json{{"iss", "https://id.example"},
                                 {"sub", alice().id},
                                 {"aud", "app"},
                                 {"azp", "app"},
                                 {"iat", 1'800'000'000},
                                 {"exp", 1'800'000'600},
                                 {"auth_time", 1'799'999'000},
                                 {"amr", json::array({"fed"})},
                                 {"nonce", "n-0S6"},
                                 {"at_hash", "77QmUPtjPfzWtF2AnpK9RQ"},
                                 {"email", "alice@example.com"},
                                 {"email_verified", true}}));
  // And it is usable as a logout hint, even once expired.
  clock_.advance(std::chrono::seconds(3600));
  EXPECT_TRUE(issuer_.verify_hint(*token).has_value());
}

TEST_F(IdTokenIssuing, NoNonceNoAtHashWhenNotGiven) {
  IdTokenClaims c;
  c.client_id = "app";
  c.user = alice();
  c.scope = {"openid"};
  c.auth_time = clock_.now();
  auto token = issuer_.issue(c);
  ASSERT_TRUE(token.ok());
  const auto claims = jose::Jwt::parse(*token)->claims();
  EXPECT_FALSE(claims.contains("nonce"));
  EXPECT_FALSE(claims.contains("at_hash"));
  EXPECT_FALSE(claims.contains("amr")) << "RFC 8176: no method known, no claim";
}

TEST_F(IdTokenIssuing, RpInitiatedLogout_2_HintsThatAreNotOurIdTokensAreRefused) {
  EXPECT_FALSE(issuer_.verify_hint("").has_value());
  EXPECT_FALSE(issuer_.verify_hint("a.b.c").has_value());
  // Another issuer's key.
  jose::PrivateKey other = jose::PrivateKey::generate(jose::Alg::RS256);
  const json claims = {{"iss", "https://id.example"}, {"sub", "u"}, {"aud", "app"}, {"exp", 1}};
  EXPECT_FALSE(issuer_.verify_hint(jose::sign_jwt({"k1", "JWT"}, claims, other, jose::Alg::RS256))
                   .has_value());
  // Our key, but an access token (typ at+jwt) or another iss.
  EXPECT_FALSE(issuer_.verify_hint(jose::sign_jwt({"k1", "at+jwt"}, claims, key_, jose::Alg::RS256))
                   .has_value());
  json foreign = claims;
  foreign["iss"] = "https://other.example";
  EXPECT_FALSE(issuer_.verify_hint(jose::sign_jwt({"k1", "JWT"}, foreign, key_, jose::Alg::RS256))
                   .has_value());
  EXPECT_TRUE(issuer_.verify_hint(jose::sign_jwt({"k1", "JWT"}, claims, key_, jose::Alg::RS256))
                  .has_value());
}

}  // namespace
}  // namespace keyward::grants
