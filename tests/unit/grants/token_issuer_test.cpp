// TokenIssuer (DESIGN.md "Tokens", RFC 9068 §2): what an access token says, when it
// expires, how its audience is written, and that refresh tokens are 256 random bits
// stored as their SHA-256 digest.
#include "grants/token_issuer.h"

#include <gtest/gtest.h>

#include <set>

#include "common/crypto.h"
#include "jose/verify.h"

namespace keyward::grants {
namespace {

using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1'750'000'000));
constexpr std::string_view kIssuer = "https://issuer.example";

// The keys of a deployment that has not activated any key yet (a real state: KeyManager
// reports no active key until the first one is loaded).
class NoActiveKey final : public SigningKeys {
 public:
  [[nodiscard]] std::shared_ptr<const SigningKey> active() const override { return nullptr; }
  [[nodiscard]] std::shared_ptr<const jose::Jwks> published() const override { return nullptr; }
};

class TokenIssuerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new StaticSigningKeys(jose::PrivateKey::generate(jose::Alg::ES256));
  }
  static void TearDownTestSuite() { delete keys_; }

  TokenIssuer issuer() const {
    return TokenIssuer(*keys_, clock_, {std::string(kIssuer), seconds(600), seconds(3600)});
  }
  static AccessTokenClaims claims() {
    AccessTokenClaims c;
    c.subject = "user-1";
    c.client_id = "app";
    c.audiences = {"https://api.example"};
    c.scope = {"write", "read"};
    c.grant_id = "grant-1";
    return c;
  }
  // Verified as a resource server would, at `now`.
  Result<jose::Jwt, jose::Status> verify(const std::string& token,
                                         std::vector<std::string> audiences) const {
    jose::ClaimPolicy policy{std::string(kIssuer), std::move(audiences), "at+jwt"};
    const jose::Alg allowed[] = {jose::Alg::ES256};
    return jose::verify_jwt(token, *keys_->published(), allowed, policy, clock_.now());
  }

  static StaticSigningKeys* keys_;
  FixedClock clock_{kNow + std::chrono::milliseconds(750)};
};
StaticSigningKeys* TokenIssuerTest::keys_ = nullptr;

TEST_F(TokenIssuerTest, Rfc9068_2_2_AccessTokenCarriesEveryClaim) {
  auto issued = issuer().access_token(claims());
  ASSERT_TRUE(issued.ok());
  auto jwt = verify(issued->token, {"https://api.example"});
  ASSERT_TRUE(jwt.ok()) << jose::to_string(jwt.error());
  EXPECT_EQ(jwt->header().typ(), "at+jwt");
  EXPECT_EQ(jwt->header().kid(), keys_->active()->kid);
  const auto& c = jwt->claims();
  EXPECT_EQ(c["iss"], kIssuer);
  EXPECT_EQ(c["sub"], "user-1");
  EXPECT_EQ(c["aud"], "https://api.example");
  EXPECT_EQ(c["client_id"], "app");
  EXPECT_EQ(c["scope"], "read write");  // RFC 9068 §2.2.3: space-delimited
  EXPECT_EQ(c["gid"], "grant-1");
  EXPECT_EQ(c["jti"], issued->jti);
  // Whole seconds, so exp - iat is exactly the lifetime and expires_in agrees.
  EXPECT_EQ(c["iat"], 1'750'000'000);
  EXPECT_EQ(c["exp"], 1'750'000'600);
  EXPECT_EQ(c.size(), 9u);
  EXPECT_EQ(issued->expires_in, seconds(600));
  EXPECT_EQ(issued->issued_at, kNow);
  EXPECT_EQ(issued->expires_at, kNow + seconds(600));
}

TEST_F(TokenIssuerTest, JtiIsRandomAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto issued = issuer().access_token(claims());
    ASSERT_TRUE(issued.ok());
    EXPECT_EQ(issued->jti.size(), 22u);  // 128 bits, base64url
    EXPECT_TRUE(seen.insert(issued->jti).second);
  }
}

TEST_F(TokenIssuerTest, Rfc7519_4_1_3_AudienceForms) {
  auto c = claims();
  c.audiences = {"https://a.example", "https://b.example"};
  auto two = issuer().access_token(c);
  ASSERT_TRUE(two.ok());
  auto jwt = verify(two->token, {"https://b.example"});
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->claims()["aud"], (nlohmann::json{"https://a.example", "https://b.example"}));

  // No registered audience: the issuer's own resources.
  c.audiences.clear();
  auto none = issuer().access_token(c);
  ASSERT_TRUE(none.ok());
  auto own = verify(none->token, {std::string(kIssuer)});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->claims()["aud"], kIssuer);
}

TEST_F(TokenIssuerTest, NoTokenOutlivesItsGrant) {
  auto c = claims();
  c.not_after = kNow + seconds(90) + std::chrono::milliseconds(500);
  auto issued = issuer().access_token(c);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->expires_at, kNow + seconds(90));
  EXPECT_EQ(issued->expires_in, seconds(90));

  c.not_after = kNow;
  auto expired = issuer().access_token(c);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::InvalidGrant);
}

TEST_F(TokenIssuerTest, NoActiveKeyIsTemporarilyUnavailable) {
  NoActiveKey none;
  TokenIssuer issuer(none, clock_, {std::string(kIssuer), seconds(600), seconds(3600)});
  EXPECT_FALSE(issuer.ready().ok());
  auto issued = issuer.access_token(claims());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().code, ErrorCode::TemporarilyUnavailable);
  EXPECT_EQ(issued.error().http_status(), 503);
  EXPECT_EQ(issued.error().retry_after, seconds(1));
  EXPECT_TRUE(this->issuer().ready().ok());
}

TEST_F(TokenIssuerTest, RefreshTokensAre256RandomBitsStoredAsDigest) {
  const auto a = TokenIssuer::refresh_token();
  const auto b = TokenIssuer::refresh_token();
  EXPECT_EQ(a.token.size(), 43u);
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(a.hash, sha256(a.token));
  EXPECT_EQ(a.hash.size(), 32u);
  EXPECT_EQ(TokenIssuer::refresh_token_hash(a.token), a.hash);
}

}  // namespace
}  // namespace keyward::grants
