// TokenVerifier against a real local issuer (IssuerStub) with real RSA keys: every way a token
// can be wrong maps to its own jose::Status, rotation is picked up through the unknown-kid
// refetch, and the verified-token cache is bounded and never outlives exp or the signing key.
#include <gtest/gtest.h>

#include "resource_server/verifier.h"
#include "tests/unit/resource_server/issuer_stub.h"
#include "tests/unit/resource_server/test_keys.h"

namespace keyward::test {
namespace {

using namespace std::chrono_literals;
using jose::Status;
using json = nlohmann::json;

class VerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_a_ = new TestKey(make_key("kid-a"));
    key_b_ = new TestKey(make_key("kid-b"));
    stranger_ = new TestKey(make_key("kid-a"));  // same kid, another key
  }
  static void TearDownTestSuite() {
    delete key_a_;
    delete key_b_;
    delete stranger_;
  }

  void SetUp() override {
    stub_.set_jwks(jwks_json({key_a_}), "max-age=300");
    make_verifier({});
  }

  void make_verifier(rs::VerifierOptions overrides, size_t cache_size = 100) {
    rs::JwksCacheOptions o;
    o.issuer = stub_.issuer();
    o.refetch_interval = 30s;
    verifier_.reset();
    keys_ = std::make_unique<rs::JwksCache>(fetcher_, clock_, o);
    rs::VerifierOptions v = std::move(overrides);
    v.issuer = stub_.issuer();
    if (v.audiences.empty()) v.audiences = {"sample-api"};
    v.token_cache_size = cache_size;
    verifier_ = std::make_unique<rs::TokenVerifier>(*keys_, clock_, v);
  }

  json claims(std::string scope = "api:read") const {
    return access_claims(stub_.issuer(), clock_.now(), std::move(scope));
  }

  Status status_of(const std::string& token) {
    auto r = verifier_->verify(token);
    if (r.ok()) return Status::Ok;
    EXPECT_EQ(r.error().kind, rs::VerifyError::Kind::InvalidToken);
    return r.error().status;
  }

  IssuerStub stub_;
  rs::CurlFetcher fetcher_;
  FixedClock clock_{TimePoint{} + std::chrono::seconds(1'800'000'000)};
  std::unique_ptr<rs::JwksCache> keys_;
  std::unique_ptr<rs::TokenVerifier> verifier_;
  static TestKey* key_a_;
  static TestKey* key_b_;
  static TestKey* stranger_;
};
TestKey* VerifierTest::key_a_ = nullptr;
TestKey* VerifierTest::key_b_ = nullptr;
TestKey* VerifierTest::stranger_ = nullptr;

TEST_F(VerifierTest, Rfc9068_ValidTokenGivesItsClaims) {
  auto r = verifier_->verify(sign(*key_a_, claims("openid api:read")));
  ASSERT_TRUE(r.ok()) << jose::to_string(r.error().status);
  const auto& t = *r.value();
  EXPECT_EQ(t.subject, "user-1");
  EXPECT_EQ(t.client_id, "c1");
  EXPECT_EQ(t.jti, "jti-1");
  EXPECT_EQ(t.scopes, (std::vector<std::string>{"openid", "api:read"}));
  EXPECT_EQ(t.audiences, (std::vector<std::string>{"sample-api"}));
  EXPECT_TRUE(t.has_scope("api:read"));
  EXPECT_FALSE(t.has_scope("api:write"));
  EXPECT_FALSE(t.has_scope("api"));
  EXPECT_EQ(unix_seconds(t.expires_at), unix_seconds(clock_.now()) + 600);
}

TEST_F(VerifierTest, Rfc8725_3_1_AlgNoneIsRefused) {
  EXPECT_EQ(
      status_of(unsigned_token({{"alg", "none"}, {"typ", "at+jwt"}, {"kid", "kid-a"}}, claims())),
      Status::JwtAlgNotAllowed);
}

TEST_F(VerifierTest, Rfc8725_2_1_Hs256KeyedWithThePublicKeyIsRefused) {
  EXPECT_EQ(status_of(hs256_token(public_pem(*key_a_), "kid-a", claims())),
            Status::JwtAlgNotAllowed);
}

TEST_F(VerifierTest, AlgorithmOutsideTheAllowListIsRefusedEvenWithAValidSignature) {
  TestKey ec = make_key("kid-ec", jose::Alg::ES256);
  stub_.set_jwks(jwks_json({key_a_, &ec}));
  rs::VerifierOptions only_rsa;
  only_rsa.algorithms = {jose::Alg::RS256};
  make_verifier(only_rsa);
  EXPECT_EQ(status_of(sign(ec, claims())), Status::JwtAlgNotAllowed);
  make_verifier({});
  EXPECT_EQ(status_of(sign(ec, claims())), Status::Ok);
}

TEST_F(VerifierTest, TamperedPayloadFailsTheSignature) {
  const std::string good = sign(*key_a_, claims("api:read"));
  EXPECT_EQ(status_of(with_payload(good, claims("api:read api:write"))),
            Status::JwtSignatureInvalid);
}

TEST_F(VerifierTest, SameKidSignedByAnotherKeyFailsTheSignature) {
  EXPECT_EQ(status_of(sign(*stranger_, claims())), Status::JwtSignatureInvalid);
  // A bad signature is never a reason to refetch.
  EXPECT_EQ(stub_.jwks_hits, 1);
}

TEST_F(VerifierTest, UnknownKidRefetchesOnceThenIsRefused) {
  TestKey unknown = make_key("kid-unknown");
  EXPECT_EQ(status_of(sign(unknown, claims())), Status::JwtKidUnknown);
  EXPECT_EQ(stub_.jwks_hits, 2);  // the first fetch and one refetch
  EXPECT_EQ(status_of(sign(unknown, claims())), Status::JwtKidUnknown);
  EXPECT_EQ(stub_.jwks_hits, 2);  // rate-limited
}

TEST_F(VerifierTest, RotatedKeyIsAcceptedThroughTheRefetch) {
  ASSERT_EQ(status_of(sign(*key_a_, claims())), Status::Ok);
  stub_.set_jwks(jwks_json({key_a_, key_b_}));
  EXPECT_EQ(status_of(sign(*key_b_, claims())), Status::Ok);
  EXPECT_EQ(stub_.jwks_hits, 2);
  EXPECT_EQ(status_of(sign(*key_a_, claims())), Status::Ok);
}

TEST_F(VerifierTest, Rfc7519_4_1_4_ExpiredWithLeeway) {
  auto c = claims();
  c["exp"] = unix_seconds(clock_.now()) - 30;  // leeway is 30 s: exactly at the edge
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::JwtExpired);
  c["exp"] = unix_seconds(clock_.now()) - 29;
  c["jti"] = "jti-2";
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::Ok);
}

TEST_F(VerifierTest, WrongIssuerIsRefused) {
  auto c = claims();
  c["iss"] = stub_.issuer() + "/";
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::JwtIssuerMismatch);
}

TEST_F(VerifierTest, WrongAudienceIsRefused) {
  auto c = claims();
  c["aud"] = json::array({"other-api", "yet-another"});
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::JwtAudienceMismatch);
  c["aud"] = json::array({"other-api", "sample-api"});
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::Ok);
}

TEST_F(VerifierTest, Rfc9068_4_IdTokenIsNotAnAccessToken) {
  // What an OIDC ID token looks like: typ JWT, aud the client, no client_id or scope.
  json id = {{"iss", stub_.issuer()},
             {"sub", "user-1"},
             {"aud", "sample-api"},
             {"iat", unix_seconds(clock_.now())},
             {"exp", unix_seconds(clock_.now()) + 600},
             {"nonce", "n-1"},
             {"azp", "c1"}};
  EXPECT_EQ(status_of(sign(*key_a_, id, "JWT")), Status::JwtTypMismatch);
  EXPECT_EQ(status_of(sign(*key_a_, claims(), "JWT")), Status::JwtTypMismatch);
}

TEST_F(VerifierTest, Rfc9068_2_2_RequiredClaimsAndTypes) {
  for (const char* name : {"sub", "client_id", "jti", "iat", "exp"}) {
    auto c = claims();
    c.erase(name);
    EXPECT_EQ(status_of(sign(*key_a_, c)), Status::JwtMissingClaim) << name;
  }
  auto c = claims();
  c["scope"] = json::array({"api:read"});
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::JwtClaimBadType);
  c = claims();
  c["client_id"] = 7;
  EXPECT_EQ(status_of(sign(*key_a_, c)), Status::JwtClaimBadType);
}

TEST_F(VerifierTest, KeysUnavailableIsNotAnInvalidToken) {
  stub_.set_jwks_status(500);
  make_verifier({});
  auto r = verifier_->verify(sign(*key_a_, claims()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, rs::VerifyError::Kind::KeysUnavailable);
  EXPECT_NE(r.error().detail.find("answered HTTP 500"), std::string::npos) << r.error().detail;
}

TEST_F(VerifierTest, VerifiedTokenCacheHitsUntilExpWithoutLeeway) {
  rs::VerifierOptions no_leeway;
  no_leeway.leeway = 0s;
  make_verifier(no_leeway);
  const std::string token = sign(*key_a_, claims());
  ASSERT_EQ(status_of(token), Status::Ok);
  EXPECT_EQ(verifier_->cached_tokens(), 1u);
  auto hit = verifier_->verify(token);
  ASSERT_TRUE(hit.ok());
  clock_.advance(599s);
  EXPECT_EQ(status_of(token), Status::Ok);
  clock_.advance(1s);
  // At exp the cache entry no longer counts and the full check refuses the token.
  EXPECT_EQ(status_of(token), Status::JwtExpired);
}

TEST_F(VerifierTest, VerifiedTokenCacheForgetsTokensOfAWithdrawnKey) {
  const std::string token = sign(*key_a_, claims());
  ASSERT_EQ(status_of(token), Status::Ok);
  // The issuer withdraws kid-a (compromise); the JWKS is refetched.
  stub_.set_jwks(jwks_json({key_b_}));
  ASSERT_TRUE(keys_->refresh().ok());
  EXPECT_EQ(status_of(token), Status::JwtKidUnknown);
}

TEST_F(VerifierTest, VerifiedTokenCacheIsBounded) {
  make_verifier({}, 3);
  for (int i = 0; i < 10; ++i) {
    auto c = claims();
    c["jti"] = "jti-" + std::to_string(i);
    ASSERT_EQ(status_of(sign(*key_a_, c)), Status::Ok);
    EXPECT_LE(verifier_->cached_tokens(), 3u);
  }
}

TEST_F(VerifierTest, CacheOffVerifiesEveryTime) {
  make_verifier({}, 0);
  const std::string token = sign(*key_a_, claims());
  ASSERT_EQ(status_of(token), Status::Ok);
  EXPECT_EQ(verifier_->cached_tokens(), 0u);
  stub_.set_jwks(jwks_json({key_b_}));
  ASSERT_TRUE(keys_->refresh().ok());
  EXPECT_EQ(status_of(token), Status::JwtKidUnknown);
}

TEST_F(VerifierTest, GarbageIsMalformed) {
  for (const std::string& t : {std::string("abc"), std::string("a.b.c"), std::string("..")}) {
    EXPECT_EQ(status_of(t), Status::JwtBadFormat) << t;
  }
}

}  // namespace
}  // namespace keyward::test
