#include "common/aead.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "common/crypto.h"

namespace keyward {
namespace {

const std::string kKey = std::string(32, '\x42');
const std::string kKid = "kid-2024-01";
const std::string kSecret = "-----PKCS#8 DER would go here-----";

TEST(Aead, RoundTrip) {
  const std::string sealed = aead::seal(kKey, kSecret, kKid);
  EXPECT_EQ(sealed.size(), aead::kNonceSize + kSecret.size() + aead::kTagSize);
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);  // no plaintext in the output
  EXPECT_EQ(aead::open(kKey, sealed, kKid), kSecret);
}

TEST(Aead, EmptyPlaintextAndEmptyAssociatedData) {
  EXPECT_EQ(aead::open(kKey, aead::seal(kKey, "", kKid), kKid), "");
  EXPECT_EQ(aead::open(kKey, aead::seal(kKey, kSecret, ""), ""), kSecret);
  EXPECT_EQ(aead::open(kKey, aead::seal(kKey, kSecret, ""), "x"), std::nullopt);
}

TEST(Aead, BinaryPlaintextWithZeros) {
  const std::string binary("\0\x01\xff\0", 4);
  EXPECT_EQ(aead::open(kKey, aead::seal(kKey, binary, kKid), kKid), binary);
}

TEST(Aead, FreshNoncePerSeal) {
  const std::string a = aead::seal(kKey, kSecret, kKid);
  const std::string b = aead::seal(kKey, kSecret, kKid);
  EXPECT_NE(a.substr(0, aead::kNonceSize), b.substr(0, aead::kNonceSize));
  EXPECT_NE(a, b);
}

TEST(Aead, TamperingWithAnyByteFails) {
  // Every bit of nonce, ciphertext and tag is covered.
  const std::string sealed = aead::seal(kKey, kSecret, kKid);
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      ASSERT_EQ(aead::open(kKey, tampered, kKid), std::nullopt) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(Aead, TruncatedOrExtendedFails) {
  const std::string sealed = aead::seal(kKey, kSecret, kKid);
  for (size_t len = 0; len < sealed.size(); ++len) {
    ASSERT_EQ(aead::open(kKey, sealed.substr(0, len), kKid), std::nullopt) << len;
  }
  EXPECT_EQ(aead::open(kKey, sealed + '\0', kKid), std::nullopt);
  // Dropping bytes from the front (a shifted nonce) fails too.
  EXPECT_EQ(aead::open(kKey, sealed.substr(1), kKid), std::nullopt);
}

TEST(Aead, WrongAssociatedDataFails) {
  // A ciphertext copied to another key's row does not open there.
  const std::string sealed = aead::seal(kKey, kSecret, kKid);
  EXPECT_EQ(aead::open(kKey, sealed, "kid-2024-02"), std::nullopt);
  EXPECT_EQ(aead::open(kKey, sealed, ""), std::nullopt);
  EXPECT_EQ(aead::open(kKey, sealed, kKid + std::string(1, '\0')), std::nullopt);
  EXPECT_EQ(aead::open(kKey, sealed, kKid.substr(1)), std::nullopt);
}

TEST(Aead, WrongKeyFails) {
  const std::string sealed = aead::seal(kKey, kSecret, kKid);
  std::string other = kKey;
  other[31] = static_cast<char>(other[31] ^ 1);
  EXPECT_EQ(aead::open(other, sealed, kKid), std::nullopt);
  EXPECT_EQ(aead::open(random_bytes(32), sealed, kKid), std::nullopt);
}

TEST(Aead, KeyMustBe32Bytes) {
  EXPECT_THROW((void)aead::seal(std::string(16, 'k'), kSecret, kKid), std::invalid_argument);
  EXPECT_THROW((void)aead::seal(std::string(33, 'k'), kSecret, kKid), std::invalid_argument);
  EXPECT_THROW((void)aead::open(std::string(31, 'k'), std::string(64, 'x'), kKid),
               std::invalid_argument);
}

TEST(Aead, NistGcmKnownAnswer) {
  // NIST GCM spec (McGrew-Viega) test case 14: AES-256, zero key, zero 96-bit IV, one zero
  // block. Our format is nonce || ciphertext || tag, so open() must accept it.
  const std::string key(32, '\0');
  const std::string nonce(12, '\0');
  const std::string ciphertext_hex = "cea7403d4d606b6e074ec5d3baf39d18";
  const std::string tag_hex = "d0d1c8a799996bf0265b98b5d48ab919";
  auto unhex = [](const std::string& hex) {
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
      out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return out;
  };
  const std::string sealed = nonce + unhex(ciphertext_hex) + unhex(tag_hex);
  EXPECT_EQ(aead::open(key, sealed, ""), std::string(16, '\0'));
}

}  // namespace
}  // namespace keyward
