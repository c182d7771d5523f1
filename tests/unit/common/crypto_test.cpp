#include "common/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "common/base64url.h"

namespace keyward {
namespace {

TEST(Crypto, RandomTokenIs256BitsOfBase64Url) {
  const auto token = random_token();
  EXPECT_EQ(token.size(), 43u);
  auto raw = base64url_decode(token);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);
}

TEST(Crypto, RandomTokensDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_token());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Crypto, ConstantTimeEquality) {
  EXPECT_TRUE(equal_constant_time("secret", "secret"));
  EXPECT_FALSE(equal_constant_time("secret", "secreT"));
  EXPECT_FALSE(equal_constant_time("secret", "secret2"));
  EXPECT_TRUE(equal_constant_time("", ""));
}

TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HkdfSha256Rfc5869Case3NoSalt) {
  const std::string ikm(22, '\x0b');
  EXPECT_EQ(to_hex(hkdf_sha256(ikm, "", 42)),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
            "9d201395faa4b61a96c8");
}

TEST(Crypto, HkdfSeparatesPurposes) {
  const std::string master(32, 'k');
  EXPECT_NE(hkdf_sha256(master, "keyward client-secret v1"),
            hkdf_sha256(master, "keyward signing-keys v1"));
  EXPECT_EQ(hkdf_sha256(master, "a").size(), 32u);
}

}  // namespace
}  // namespace keyward
