#include "jose/jwks.h"

#include <gtest/gtest.h>

#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;
using json = nlohmann::json;

json with_kid(json jwk, const char* kid) {
  jwk["kid"] = kid;
  return jwk;
}

TEST(Jwks, Rfc7517_5_OneBadAndOneGoodKeyParsesToOneKey) {
  json bad = with_kid(a3_public_jwk(), "bad");
  bad["x"] = "not base64url!";
  const json set = {{"keys", {bad, with_kid(a2_public_jwk(), "good")}}};
  auto jwks = Jwks::parse(set.dump());
  ASSERT_TRUE(jwks.ok()) << to_string(jwks.error());
  ASSERT_EQ(jwks->keys().size(), 1u);
  EXPECT_EQ(jwks->keys()[0].kid(), "good");
  EXPECT_EQ(jwks->skipped(), 1u);
}

TEST(Jwks, SkipsUnsupportedKeysAndKeysWithoutKid) {
  const json set = {{"keys",
                     {with_kid({{"kty", "oct"}}, "sym"),
                      with_kid({{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}}, "p521"),
                      a3_public_jwk(),  // no kid: our tokens always name their key
                      "not an object", with_kid(a3_public_jwk(), "ec")}}};
  auto jwks = Jwks::parse(set.dump());
  ASSERT_TRUE(jwks.ok());
  ASSERT_EQ(jwks->keys().size(), 1u);
  EXPECT_EQ(jwks->keys()[0].kid(), "ec");
  EXPECT_EQ(jwks->skipped(), 4u);
}

TEST(Jwks, Rfc7517_PrivateMembersRefuseTheWholeSet) {
  json leaked = with_kid(a3_public_jwk(), "leaked");
  leaked["d"] = kA3D;
  const json set = {{"keys", {with_kid(a2_public_jwk(), "good"), leaked}}};
  auto jwks = Jwks::parse(set.dump());
  ASSERT_FALSE(jwks.ok());
  EXPECT_EQ(jwks.error(), Status::JwkPrivateMember);

  const json symmetric = {{"keys", {{{"kty", "oct"}, {"kid", "h"}, {"k", "c2VjcmV0"}}}}};
  EXPECT_EQ(Jwks::parse(symmetric.dump()).error(), Status::JwkPrivateMember);
}

TEST(Jwks, NoUsableKeys) {
  EXPECT_EQ(Jwks::parse(R"({"keys":[]})").error(), Status::JwksNoUsableKeys);
  EXPECT_EQ(Jwks::parse(R"({"keys":[{"kty":"oct","kid":"a"},{"kty":"RSA","kid":"b"}]})").error(),
            Status::JwksNoUsableKeys);
}

TEST(Jwks, NotAJwkSet) {
  EXPECT_EQ(Jwks::parse("").error(), Status::JwksBadJson);
  EXPECT_EQ(Jwks::parse("{").error(), Status::JwksBadJson);
  EXPECT_EQ(Jwks::parse("[]").error(), Status::JwksBadJson);
  EXPECT_EQ(Jwks::parse(R"({"key":[]})").error(), Status::JwksBadJson);
  EXPECT_EQ(Jwks::parse(R"({"keys":{}})").error(), Status::JwksBadJson);
  // A bare JWK is not a set.
  EXPECT_EQ(Jwks::parse(with_kid(a2_public_jwk(), "k").dump()).error(), Status::JwksBadJson);
}

TEST(Jwks, SelectTellsUnknownKidFromMismatchedKey) {
  json enc = with_kid(a2_public_jwk(), "enc");
  enc["use"] = "enc";
  const json set = {
      {"keys", {with_kid(a2_public_jwk(), "rsa"), with_kid(a3_public_jwk(), "ec"), enc}}};
  auto jwks = Jwks::parse(set.dump());
  ASSERT_TRUE(jwks.ok());

  auto rsa = jwks->select("rsa", Alg::RS256);
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ((*rsa)->kid(), "rsa");
  EXPECT_EQ(jwks->find("rsa", Alg::RS256), *rsa);
  EXPECT_EQ(jwks->select("ec", Alg::ES256).ok(), true);

  EXPECT_EQ(jwks->select("nope", Alg::RS256).error(), Status::JwtKidUnknown);
  EXPECT_EQ(jwks->select("RSA", Alg::RS256).error(), Status::JwtKidUnknown);  // exact match only
  EXPECT_EQ(jwks->select("rsa", Alg::ES256).error(), Status::JwksKeyMismatch);
  EXPECT_EQ(jwks->select("ec", Alg::RS256).error(), Status::JwksKeyMismatch);
  EXPECT_EQ(jwks->select("enc", Alg::RS256).error(), Status::JwksKeyMismatch);
  EXPECT_EQ(jwks->find("rsa", Alg::ES256), nullptr);
  EXPECT_EQ(jwks->find("nope", Alg::RS256), nullptr);
}

TEST(Jwks, SharedKidSelectsTheKeyThatFits) {
  const json set = {
      {"keys", {with_kid(a2_public_jwk(), "same"), with_kid(a3_public_jwk(), "same")}}};
  auto jwks = Jwks::parse(set.dump());
  ASSERT_TRUE(jwks.ok());
  EXPECT_EQ(jwks->find("same", Alg::ES256)->type(), KeyType::EcP256);
  EXPECT_EQ(jwks->find("same", Alg::RS256)->type(), KeyType::Rsa);
}

TEST(Jwks, PublicJsonRoundTripsAndIsPublicOnly) {
  const Jwks published = Jwks::from_keys({Jwk::from_public_key(rsa_key().public_key()),
                                          Jwk::from_public_key(ec_key().public_key()),
                                          Jwk::from_public_key(ed_key().public_key())});
  const std::string text = published.to_public_json();
  auto parsed = Jwks::parse(text);
  ASSERT_TRUE(parsed.ok()) << to_string(parsed.error());
  ASSERT_EQ(parsed->keys().size(), 3u);
  EXPECT_EQ(parsed->skipped(), 0u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed->keys()[i].kid(), published.keys()[i].kid());
    EXPECT_TRUE(parsed->keys()[i].public_key().same_key(published.keys()[i].public_key()));
  }
  const json doc = json::parse(text);
  for (const auto& key : doc.at("keys")) {
    EXPECT_EQ(key.at("use"), "sig");
    EXPECT_TRUE(key.contains("alg"));
    EXPECT_TRUE(key.contains("kid"));
    EXPECT_FALSE(key.contains("d"));
  }
}

}  // namespace
}  // namespace keyward::jose
