#include "jose/evp_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "jose/jws.h"
#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;

std::string pkcs8_of(EVP_PKEY* key) {
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key);
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  PKCS8_PRIV_KEY_INFO_free(info);
  return out;
}

TEST(PrivateKey, GeneratesTheKeyTypeOfEachAlgorithm) {
  EXPECT_EQ(rsa_key().type(), KeyType::Rsa);
  EXPECT_EQ(rsa_key().alg(), Alg::RS256);
  EXPECT_EQ(EVP_PKEY_get_bits(rsa_key().evp()), 2048);
  EXPECT_EQ(ec_key().type(), KeyType::EcP256);
  EXPECT_EQ(ec_key().alg(), Alg::ES256);
  EXPECT_EQ(ed_key().type(), KeyType::Ed25519);
  EXPECT_EQ(ed_key().alg(), Alg::EdDSA);
}

TEST(PrivateKey, GeneratedKeysDiffer) {
  EXPECT_FALSE(rsa_key().public_key().same_key(rsa_key_2().public_key()));
  EXPECT_FALSE(PrivateKey::generate(Alg::ES256).public_key().same_key(ec_key().public_key()));
}

TEST(PrivateKey, Pkcs8RoundTripKeepsTheKey) {
  for (const PrivateKey* key : {&rsa_key(), &ec_key(), &ed_key()}) {
    const std::string der = key->to_pkcs8_der();
    auto back = PrivateKey::from_pkcs8_der(der);
    ASSERT_TRUE(back.ok()) << to_string(back.error());
    EXPECT_EQ(back->type(), key->type());
    EXPECT_TRUE(back->public_key().same_key(key->public_key()));
    EXPECT_EQ(back->to_pkcs8_der(), der);
    // The re-imported key signs what the original public key verifies.
    EXPECT_TRUE(jws_verify(key->public_key(), key->alg(), "input", jws_sign(*back, "input")));
  }
}

TEST(PrivateKey, Pkcs8RejectsGarbageTruncationAndTrailingBytes) {
  const std::string der = ec_key().to_pkcs8_der();
  EXPECT_EQ(PrivateKey::from_pkcs8_der("").error(), Status::KeyBadPkcs8);
  EXPECT_EQ(PrivateKey::from_pkcs8_der("not a key").error(), Status::KeyBadPkcs8);
  EXPECT_EQ(PrivateKey::from_pkcs8_der(der.substr(0, der.size() - 1)).error(), Status::KeyBadPkcs8);
  EXPECT_EQ(PrivateKey::from_pkcs8_der(der + '\0').error(), Status::KeyBadPkcs8);
  // A public key is not a private key.
  EXPECT_EQ(PrivateKey::from_pkcs8_der(ec_key().public_key().to_spki_der()).error(),
            Status::KeyBadPkcs8);
}

TEST(PrivateKey, Pkcs8RefusesKeysWeDoNotSignWith) {
  UniqueEvpPkey rsa1024(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  EXPECT_EQ(PrivateKey::from_pkcs8_der(pkcs8_of(rsa1024.get())).error(), Status::KeyUnsupported);
  UniqueEvpPkey p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EXPECT_EQ(PrivateKey::from_pkcs8_der(pkcs8_of(p384.get())).error(), Status::KeyUnsupported);
  UniqueEvpPkey x25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  EXPECT_EQ(PrivateKey::from_pkcs8_der(pkcs8_of(x25519.get())).error(), Status::KeyUnsupported);
}

TEST(PublicKey, DerivedPublicKeyCarriesNoPrivateMaterial) {
  for (const PrivateKey* key : {&rsa_key(), &ec_key(), &ed_key()}) {
    // The public half cannot be exported as a private key.
    EXPECT_EQ(EVP_PKEY2PKCS8(key->public_key().evp()), nullptr);
    auto spki = PublicKey::from_spki_der(key->public_key().to_spki_der());
    ASSERT_TRUE(spki.ok());
    EXPECT_TRUE(spki->same_key(key->public_key()));
    EXPECT_EQ(spki->type(), key->type());
  }
}

TEST(PublicKey, SpkiRejectsTrailingBytesAndGarbage) {
  const std::string der = rsa_key().public_key().to_spki_der();
  EXPECT_EQ(PublicKey::from_spki_der(der + 'x').error(), Status::JwkBadKey);
  EXPECT_EQ(PublicKey::from_spki_der("garbage").error(), Status::JwkBadKey);
}

}  // namespace
}  // namespace keyward::jose
