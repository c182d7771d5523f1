// Published test vectors: RFC 7515 Appendix A.2 (RS256) and A.3 (ES256), RFC 8037 Appendix A
// (Ed25519), RFC 7638 §3.1 (thumbprint).
#include <gtest/gtest.h>

#include "common/base64url.h"
#include "jose/jwk.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;

std::string decoded(std::string_view b64) {
  return *base64url_decode(b64);
}

PublicKey import(const nlohmann::json& jwk) {
  auto key = Jwk::from_json(jwk);
  EXPECT_TRUE(key.ok());
  return key->public_key();
}

TEST(Rfc7515, A2_Rs256ExampleVerifies) {
  EXPECT_TRUE(
      jws_verify(import(a2_public_jwk()), Alg::RS256, kA2SigningInput, decoded(kA2Signature)));
}

TEST(Rfc7515, A2_Rs256ExampleParsesAsJwt) {
  auto jwt = Jwt::parse(std::string(kA2SigningInput) + "." + std::string(kA2Signature));
  ASSERT_TRUE(jwt.ok()) << to_string(jwt.error());
  EXPECT_EQ(jwt->header().alg(), "RS256");
  EXPECT_EQ(jwt->claims().at("iss"), "joe");
  EXPECT_EQ(jwt->claims().at("exp"), 1300819380);
  EXPECT_EQ(jwt->claims().at("http://example.com/is_root"), true);
  EXPECT_EQ(jwt->signing_input(), kA2SigningInput);
  EXPECT_EQ(jwt->signature(), decoded(kA2Signature));
}

TEST(Rfc7515, A2_KeyVerifiesThroughTheJwksOnlyWhenTheTokenNamesIt) {
  // The RFC's token has no kid, and Keyward requires one (STYLE §7.2); the same key and claims
  // with a kid verify through the JWKS.
  auto jwk = a2_public_jwk();
  jwk["kid"] = "2011-04-29";
  auto jwks = Jwks::from_json({{"keys", {jwk}}});
  ASSERT_TRUE(jwks.ok());
  const Alg allowed[] = {Alg::RS256};

  auto rfc_token = Jwt::parse(std::string(kA2SigningInput) + "." + std::string(kA2Signature));
  ASSERT_TRUE(rfc_token.ok());
  EXPECT_EQ(verify_signature(*rfc_token, *jwks, allowed), Status::JwtKidMissing);

  auto named = Jwt::parse(sign_raw_header({{"alg", "RS256"}, {"kid", "2011-04-29"}},
                                          {{"iss", "joe"}, {"exp", 1300819380}}, a2_private_key()));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(verify_signature(*named, *jwks, allowed), Status::Ok);
}

TEST(Rfc7515, A2_SigningWithTheRfcKeyReproducesTheSignature) {
  // RSASSA-PKCS1-v1_5 is deterministic, so our signer must produce the RFC's bytes exactly.
  EXPECT_EQ(base64url_encode(jws_sign(a2_private_key(), kA2SigningInput)), kA2Signature);
}

TEST(Rfc7515, A2_EverySingleBitFlipOfTheSignatureFails) {
  const PublicKey key = import(a2_public_jwk());
  const size_t made = flip_every_signature_bit(
      std::string(kA2SigningInput) + "." + std::string(kA2Signature), [&](const std::string& t) {
        auto jwt = Jwt::parse(t);
        ASSERT_TRUE(jwt.ok());
        EXPECT_FALSE(jws_verify(key, Alg::RS256, jwt->signing_input(), jwt->signature()));
      });
  EXPECT_EQ(made, 256u * 8u);
}

TEST(Rfc7515, A2_ModifiedPayloadFails) {
  std::string input(kA2SigningInput);
  input.back() = input.back() == 'Q' ? 'R' : 'Q';
  EXPECT_FALSE(jws_verify(import(a2_public_jwk()), Alg::RS256, input, decoded(kA2Signature)));
}

TEST(Rfc7515, A3_Es256ExampleVerifies) {
  EXPECT_TRUE(
      jws_verify(import(a3_public_jwk()), Alg::ES256, kA3SigningInput, decoded(kA3Signature)));
}

TEST(Rfc7515, A3_Es256SignatureIsRawRAndS) {
  // RFC 7518 §3.4: 64 bytes R || S. A DER signature of the same values must not verify.
  EXPECT_EQ(decoded(kA3Signature).size(), 64u);
  const std::string der_prefix = "\x30\x44\x02\x20";
  EXPECT_FALSE(jws_verify(import(a3_public_jwk()), Alg::ES256, kA3SigningInput,
                          der_prefix + decoded(kA3Signature)));
}

TEST(Rfc7515, A3_RfcPrivateKeySignsWhatThePublicKeyVerifies) {
  const PrivateKey key = a3_private_key();
  EXPECT_TRUE(key.public_key().same_key(import(a3_public_jwk())));
  const std::string signature = jws_sign(key, kA3SigningInput);
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(jws_verify(import(a3_public_jwk()), Alg::ES256, kA3SigningInput, signature));
}

TEST(Rfc7515, A3_EverySingleBitFlipOfTheSignatureFails) {
  const PublicKey key = import(a3_public_jwk());
  const size_t made = flip_every_signature_bit(
      std::string(kA3SigningInput) + "." + std::string(kA3Signature), [&](const std::string& t) {
        auto jwt = Jwt::parse(t);
        ASSERT_TRUE(jwt.ok());
        EXPECT_FALSE(jws_verify(key, Alg::ES256, jwt->signing_input(), jwt->signature()));
      });
  EXPECT_EQ(made, 64u * 8u);
}

TEST(Rfc8037, A4_Ed25519ExampleVerifies) {
  EXPECT_TRUE(jws_verify(import(ed25519_public_jwk()), Alg::EdDSA, kEd25519SigningInput,
                         decoded(kEd25519Signature)));
}

TEST(Rfc8037, A4_SigningWithTheRfcKeyReproducesTheSignature) {
  // Ed25519 is deterministic (RFC 8032 §5.1.6).
  EXPECT_EQ(base64url_encode(jws_sign(ed25519_private_key(), kEd25519SigningInput)),
            kEd25519Signature);
}

TEST(Rfc8037, A3_Ed25519Thumbprint) {
  auto jwk = Jwk::from_json(ed25519_public_jwk());
  ASSERT_TRUE(jwk.ok());
  EXPECT_EQ(jwk->thumbprint(), kEd25519Thumbprint);
}

TEST(Rfc7638, S3_1_ThumbprintExample) {
  auto jwk = Jwk::from_json({{"kty", "RSA"},
                             {"n", kRfc7638Modulus},
                             {"e", "AQAB"},
                             {"alg", "RS256"},
                             {"kid", "2011-04-29"}});
  ASSERT_TRUE(jwk.ok()) << to_string(jwk.error());
  EXPECT_EQ(jwk->thumbprint(), kRfc7638Thumbprint);
}

TEST(Rfc7638, S3_3_OptionalMembersDoNotChangeTheThumbprint) {
  auto bare = Jwk::from_json({{"kty", "RSA"}, {"n", kRfc7638Modulus}, {"e", "AQAB"}});
  auto decorated = Jwk::from_json({{"kty", "RSA"},
                                   {"n", kRfc7638Modulus},
                                   {"e", "AQAB"},
                                   {"use", "sig"},
                                   {"kid", "other"},
                                   {"key_ops", {"verify"}}});
  ASSERT_TRUE(bare.ok());
  ASSERT_TRUE(decorated.ok());
  EXPECT_EQ(bare->thumbprint(), kRfc7638Thumbprint);
  EXPECT_EQ(decorated->thumbprint(), kRfc7638Thumbprint);
}

TEST(Rfc7638, IssuerKidDefaultsToTheThumbprint) {
  auto imported = Jwk::from_json({{"kty", "RSA"}, {"n", kRfc7638Modulus}, {"e", "AQAB"}});
  ASSERT_TRUE(imported.ok());
  const Jwk published = Jwk::from_public_key(imported->public_key());
  EXPECT_EQ(published.kid(), kRfc7638Thumbprint);
  EXPECT_EQ(published.alg(), "RS256");
  EXPECT_EQ(published.use(), "sig");
}

}  // namespace
}  // namespace keyward::jose
