// verify_own_access_token (grants/access_token_verification.h): what introspection,
// revocation and userinfo accept as one of our live access tokens before they ask the
// database. Every rejection here must end as {"active": false} at introspection, never as
// an error; userinfo also asks for an audience.
#include <gtest/gtest.h>

#include "grants/access_token_verification.h"
#include "grants/token_issuer.h"

namespace keyward::grants {
namespace {

using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1'750'000'000));
const std::string kIssuer = "https://issuer.example";

class AccessTokenVerification : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new StaticSigningKeys(jose::PrivateKey::generate(jose::Alg::ES256));
    other_ = new StaticSigningKeys(jose::PrivateKey::generate(jose::Alg::ES256));
  }
  static void TearDownTestSuite() {
    delete keys_;
    delete other_;
  }
  static nlohmann::json claims() {
    return {{"iss", kIssuer},   {"sub", "u"},        {"aud", "api"},
            {"client_id", "c"}, {"scope", "read"},   {"jti", "j"},
            {"gid", "g"},       {"iat", 1750000000}, {"exp", 1750000600}};
  }
  static std::string sign(const nlohmann::json& c, const StaticSigningKeys& keys = *keys_) {
    return keys.active()->access_token.sign(c);
  }
  static bool accepted(const std::string& token, TimePoint now = kNow) {
    return verify_own_access_token(token, *keys_, kIssuer, AnyAudience{}, now).has_value();
  }
  static bool accepted_for(const std::string& token, std::vector<std::string> audiences) {
    return verify_own_access_token(token, *keys_, kIssuer, Audiences{std::move(audiences)}, kNow)
        .has_value();
  }

  static StaticSigningKeys* keys_;
  static StaticSigningKeys* other_;
};
StaticSigningKeys* AccessTokenVerification::keys_ = nullptr;
StaticSigningKeys* AccessTokenVerification::other_ = nullptr;

TEST_F(AccessTokenVerification, OursWhateverTheAudience) {
  EXPECT_TRUE(accepted(sign(claims())));
  auto c = claims();
  c["aud"] = nlohmann::json{"x", "y"};
  EXPECT_TRUE(accepted(sign(c)));
  // What TokenIssuer writes is accepted, so the two stay in step.
  FixedClock clock(kNow);
  TokenIssuer issuer(*keys_, clock, {kIssuer, seconds(600), seconds(3600)});
  auto issued = issuer.access_token({"u", "c", {}, {"read"}, "g", std::nullopt});
  ASSERT_TRUE(issued.ok());
  EXPECT_TRUE(accepted(issued->token));
}

TEST_F(AccessTokenVerification, Rfc7519_4_1_3_AudiencesPolicyNeedsOneOfItsNamesInAud) {
  EXPECT_TRUE(accepted_for(sign(claims()), {"api"}));
  EXPECT_TRUE(accepted_for(sign(claims()), {"other", "api"}));
  EXPECT_FALSE(accepted_for(sign(claims()), {"other"}));
  EXPECT_FALSE(accepted_for(sign(claims()), {}));
  auto c = claims();
  c["aud"] = nlohmann::json{"x", kIssuer};
  EXPECT_TRUE(accepted_for(sign(c), {kIssuer}));
  c.erase("aud");
  EXPECT_FALSE(accepted_for(sign(c), {kIssuer}));
  // Any audience still wants aud well formed (RFC 7519 §4.1.3).
  c["aud"] = 7;
  EXPECT_FALSE(accepted(sign(c)));
  c["aud"] = nlohmann::json{"x", 7};
  EXPECT_FALSE(accepted(sign(c)));
}

TEST_F(AccessTokenVerification, Rfc7519_4_1_4_ExpiredOnOrAfterExp) {
  EXPECT_TRUE(accepted(sign(claims()), kNow + seconds(599)));
  EXPECT_FALSE(accepted(sign(claims()), kNow + seconds(600)));
}

TEST_F(AccessTokenVerification, AnotherIssuerOrKeyIsNotOurs) {
  auto c = claims();
  c["iss"] = "https://elsewhere.example";
  EXPECT_FALSE(accepted(sign(c)));
  EXPECT_FALSE(accepted(sign(claims(), *other_)));
}

TEST_F(AccessTokenVerification, Rfc9068_4_IdTokensAreNotAccessTokens) {
  EXPECT_FALSE(accepted(keys_->active()->id_token.sign(claims())));
}

TEST_F(AccessTokenVerification, EveryClaimWeIssueMustBePresentAndTyped) {
  for (const char* name : {"sub", "client_id", "scope", "jti", "gid", "iat", "exp", "iss"}) {
    auto c = claims();
    c.erase(name);
    EXPECT_FALSE(accepted(sign(c))) << name;
    c = claims();
    c[name] = nlohmann::json::array();
    EXPECT_FALSE(accepted(sign(c))) << name;
  }
}

TEST_F(AccessTokenVerification, TamperedOrGarbageIsRejected) {
  std::string token = sign(claims());
  const size_t payload = token.find('.') + 3;
  token[payload] = token[payload] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(accepted(token));
  EXPECT_FALSE(accepted("garbage"));
  EXPECT_FALSE(accepted("a.b.c"));
  EXPECT_FALSE(accepted(""));
}

TEST(LooksLikeJwt, ThreePartsOnly) {
  EXPECT_TRUE(looks_like_jwt("a.b.c"));
  EXPECT_FALSE(looks_like_jwt("abc"));
  EXPECT_FALSE(looks_like_jwt("a.b"));
  EXPECT_FALSE(looks_like_jwt("a.b.c.d"));
}

}  // namespace
}  // namespace keyward::grants
