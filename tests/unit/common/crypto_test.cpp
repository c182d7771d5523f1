#include "common/crypto.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

// hmac_sha256 keeps the keyed contexts of the last few keys per thread: more keys than it
// keeps, in turn and again, and on several threads at once, must each give the RFC 4231
// answer every time.
struct HmacCase {
  std::string key;
  std::string data;
  const char* hex;
};

std::vector<HmacCase> rfc4231_cases() {
  return {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15"
       "\x16\x17\x18\x19",
       std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"", "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
  };
}

TEST(Crypto, HmacSha256ManyKeysInTurnKeepTheirAnswers) {
  const auto cases = rfc4231_cases();
  for (int round = 0; round < 3; ++round) {
    for (const auto& c : cases) {
      EXPECT_EQ(to_hex(hmac_sha256(c.key, c.data)), c.hex) << "round " << round;
    }
  }
  // The same key over and over (the client-secret key's pattern), then a new message.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(to_hex(hmac_sha256(cases[1].key, cases[1].data)), cases[1].hex);
  EXPECT_NE(hmac_sha256(cases[1].key, "another message"), hmac_sha256(cases[1].key, cases[1].data));
}

TEST(Crypto, HmacSha256OnManyThreadsAtOnce) {
  const auto cases = rfc4231_cases();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cases, &wrong, t] {
      for (int i = 0; i < 200; ++i) {
        const auto& c = cases[static_cast<size_t>(i + t) % cases.size()];
        if (to_hex(hmac_sha256(c.key, c.data)) != c.hex) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
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
