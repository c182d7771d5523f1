#include "jose/jwk.h"

#include <gtest/gtest.h>

#include "common/base64url.h"
#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;
using json = nlohmann::json;

Status import_error(const json& jwk) {
  auto imported = Jwk::from_json(jwk);
  return imported.ok() ? Status::Ok : imported.error();
}

TEST(Jwk, ExportThenImportKeepsEachKeyType) {
  for (const PrivateKey* key : {&rsa_key(), &ec_key(), &ed_key()}) {
    const Jwk published = Jwk::from_public_key(key->public_key());
    const json exported = published.to_json();
    auto back = Jwk::from_json(exported);
    ASSERT_TRUE(back.ok()) << to_string(back.error()) << exported.dump();
    EXPECT_TRUE(back->public_key().same_key(key->public_key()));
    EXPECT_EQ(back->kid(), published.kid());
    EXPECT_EQ(back->thumbprint(), published.thumbprint());
    EXPECT_EQ(back->alg(), alg_name(key->alg()));
    EXPECT_EQ(back->use(), "sig");
  }
}

TEST(Jwk, ExportedMembersPerKeyType) {
  const json rsa = Jwk::from_public_key(rsa_key().public_key()).to_json();
  EXPECT_EQ(rsa.at("kty"), "RSA");
  EXPECT_EQ(rsa.at("e"), "AQAB");
  EXPECT_EQ(base64url_decode(rsa.at("n").get<std::string>())->size(), 256u);
  EXPECT_EQ(rsa.at("alg"), "RS256");

  const json ec = Jwk::from_public_key(ec_key().public_key(), "ec-1").to_json();
  EXPECT_EQ(ec.at("kty"), "EC");
  EXPECT_EQ(ec.at("crv"), "P-256");
  EXPECT_EQ(ec.at("kid"), "ec-1");
  EXPECT_EQ(ec.at("alg"), "ES256");

  const json ed = Jwk::from_public_key(ed_key().public_key()).to_json();
  EXPECT_EQ(ed.at("kty"), "OKP");
  EXPECT_EQ(ed.at("crv"), "Ed25519");
  EXPECT_EQ(ed.at("alg"), "EdDSA");
  EXPECT_EQ(base64url_decode(ed.at("x").get<std::string>())->size(), 32u);
}

TEST(Jwk, Rfc7518_6_2_1_EcCoordinatesArePaddedTo32Bytes) {
  // About one P-256 key in 128 has a coordinate with a leading zero byte; find one.
  for (int attempt = 0; attempt < 5000; ++attempt) {
    const PrivateKey key = PrivateKey::generate(Alg::ES256);
    const json jwk = Jwk::from_public_key(key.public_key()).to_json();
    const std::string x = *base64url_decode(jwk.at("x").get<std::string>());
    const std::string y = *base64url_decode(jwk.at("y").get<std::string>());
    ASSERT_EQ(x.size(), 32u);
    ASSERT_EQ(y.size(), 32u);
    if (x[0] != '\0' && y[0] != '\0') continue;
    // Exported with the zero kept, it imports...
    EXPECT_TRUE(Jwk::from_json(jwk).ok());
    // ...and with the zero stripped (a common encoder bug) it does not.
    json stripped = jwk;
    if (x[0] == '\0') {
      stripped["x"] = base64url_encode(x.substr(1));
    } else {
      stripped["y"] = base64url_encode(y.substr(1));
    }
    EXPECT_EQ(import_error(stripped), Status::JwkBadKey);
    return;
  }
  FAIL() << "no P-256 key with a short coordinate in 5000 tries";
}

TEST(Jwk, Rfc7517_PrivateMembersAreRefusedWhateverTheKty) {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    json rsa = a2_public_jwk();
    rsa[member] = "AQAB";
    EXPECT_EQ(import_error(rsa), Status::JwkPrivateMember) << member;
    json ec = a3_public_jwk();
    ec[member] = "AQAB";
    EXPECT_EQ(import_error(ec), Status::JwkPrivateMember) << member;
  }
  json ed = ed25519_public_jwk();
  ed["d"] = kEd25519D;
  EXPECT_EQ(import_error(ed), Status::JwkPrivateMember);
  EXPECT_EQ(import_error({{"kty", "oct"}, {"k", "c2VjcmV0"}}), Status::JwkPrivateMember);
}

TEST(Jwk, UnsupportedKeyTypesAndCurves) {
  EXPECT_EQ(import_error({{"kty", "oct"}}), Status::JwkUnsupported);
  EXPECT_EQ(import_error({{"kty", "rsa"}, {"n", kA2Modulus}, {"e", "AQAB"}}),
            Status::JwkUnsupported);
  json p384 = a3_public_jwk();
  p384["crv"] = "P-384";
  EXPECT_EQ(import_error(p384), Status::JwkUnsupported);
  json ed448 = ed25519_public_jwk();
  ed448["crv"] = "Ed448";
  EXPECT_EQ(import_error(ed448), Status::JwkUnsupported);
  json x25519 = ed25519_public_jwk();
  x25519["crv"] = "X25519";
  EXPECT_EQ(import_error(x25519), Status::JwkUnsupported);
}

TEST(Jwk, MalformedMembers) {
  EXPECT_EQ(import_error(json::array()), Status::JwkBadJson);
  EXPECT_EQ(import_error({{"n", kA2Modulus}, {"e", "AQAB"}}), Status::JwkBadJson);  // no kty
  EXPECT_EQ(import_error({{"kty", 1}}), Status::JwkBadJson);
  EXPECT_EQ(import_error({{"kty", "RSA"}, {"e", "AQAB"}}), Status::JwkBadJson);  // no n
  EXPECT_EQ(import_error({{"kty", "RSA"}, {"n", 5}, {"e", "AQAB"}}), Status::JwkBadJson);
  json kid_number = a2_public_jwk();
  kid_number["kid"] = 7;
  EXPECT_EQ(import_error(kid_number), Status::JwkBadJson);
  json ops_string = a2_public_jwk();
  ops_string["key_ops"] = "verify";
  EXPECT_EQ(import_error(ops_string), Status::JwkBadJson);
}

TEST(Jwk, InvalidKeyMaterial) {
  json padded = a2_public_jwk();
  padded["e"] = "AQAB==";  // base64url here is unpadded (RFC 7515 §2)
  EXPECT_EQ(import_error(padded), Status::JwkBadKey);
  json empty_n = a2_public_jwk();
  empty_n["n"] = "";
  EXPECT_EQ(import_error(empty_n), Status::JwkBadKey);
  // RFC 7518 §3.3: RSA keys below 2048 bits are refused.
  json short_n = a2_public_jwk();
  short_n["n"] = std::string(kA2Modulus.substr(0, 172));  // 1032 bits
  EXPECT_EQ(import_error(short_n), Status::JwkBadKey);
  json even_n = a2_public_jwk();
  std::string n = *base64url_decode(kA2Modulus);
  n.back() = static_cast<char>(n.back() & ~1);
  even_n["n"] = base64url_encode(n);
  EXPECT_EQ(import_error(even_n), Status::JwkBadKey);
  // RFC 8017 §3.1: e odd and at least 3; e = 1 would make any padded message a signature.
  for (const char* e : {"AQ", "Ag", "AQA", "AAAA", "AQAAAAAAAAAB"}) {  // 1, 2, 256, 0, 2^64+1
    json bad_e = a2_public_jwk();
    bad_e["e"] = e;
    EXPECT_EQ(import_error(bad_e), Status::JwkBadKey) << e;
  }
  json e3 = a2_public_jwk();
  e3["e"] = "Aw";
  EXPECT_EQ(import_error(e3), Status::Ok);
  // A point off the curve.
  json off_curve = a3_public_jwk();
  std::string y = *base64url_decode(kA3Y);
  y.back() = static_cast<char>(y.back() ^ 1);
  off_curve["y"] = base64url_encode(y);
  EXPECT_EQ(import_error(off_curve), Status::JwkBadKey);
  json short_x = ed25519_public_jwk();
  short_x["x"] = base64url_encode(std::string(31, 'a'));
  EXPECT_EQ(import_error(short_x), Status::JwkBadKey);
}

TEST(Jwk, Rfc7517_4_FitsChecksKtyAlgUseAndKeyOps) {
  auto rsa = Jwk::from_json(a2_public_jwk());
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->fits(Alg::RS256), Status::Ok);
  EXPECT_EQ(rsa->fits(Alg::ES256), Status::JwksKeyMismatch);  // kty
  EXPECT_EQ(rsa->fits(Alg::EdDSA), Status::JwksKeyMismatch);

  auto with = [](const char* member, json value) {
    json jwk = a2_public_jwk();
    jwk[member] = std::move(value);
    return Jwk::from_json(jwk).value();
  };
  EXPECT_EQ(with("alg", "RS256").fits(Alg::RS256), Status::Ok);
  EXPECT_EQ(with("alg", "PS256").fits(Alg::RS256), Status::JwksKeyMismatch);
  EXPECT_EQ(with("alg", "RSA-OAEP").fits(Alg::RS256), Status::JwksKeyMismatch);
  EXPECT_EQ(with("use", "sig").fits(Alg::RS256), Status::Ok);
  EXPECT_EQ(with("use", "enc").fits(Alg::RS256), Status::JwksKeyMismatch);
  EXPECT_EQ(with("key_ops", {"verify"}).fits(Alg::RS256), Status::Ok);
  EXPECT_EQ(with("key_ops", {"encrypt", "wrapKey"}).fits(Alg::RS256), Status::JwksKeyMismatch);

  auto ec = Jwk::from_json(a3_public_jwk());
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->fits(Alg::ES256), Status::Ok);
  EXPECT_EQ(ec->fits(Alg::RS256), Status::JwksKeyMismatch);
}

TEST(Jwk, ExportNeverCarriesPrivateMembers) {
  for (const PrivateKey* key : {&rsa_key(), &ec_key(), &ed_key()}) {
    const json jwk = Jwk::from_public_key(key->public_key()).to_json();
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      EXPECT_FALSE(jwk.contains(member)) << member;
    }
  }
}

}  // namespace
}  // namespace keyward::jose
