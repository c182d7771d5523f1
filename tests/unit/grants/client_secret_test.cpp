// Client secrets (DESIGN.md "Secrets and passwords"): 256 random bits, stored as
// HMAC-SHA-256 under an HKDF-derived key.
#include "grants/client_secret.h"

#include <gtest/gtest.h>

#include <set>

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::grants {
namespace {

const std::string kMaster(32, '\x42');

TEST(ClientSecret, KeyIsHkdfOfTheMasterKeyForThisPurposeOnly) {
  const auto key = client_secret_key(kMaster);
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(key, hkdf_sha256(kMaster, "keyward client-secret v1"));
  EXPECT_NE(key, hkdf_sha256(kMaster, "keyward signing-keys v1"));
  EXPECT_NE(key, client_secret_key(std::string(32, '\x43')));
}

TEST(ClientSecret, GeneratedSecretIs256BitsAndItsHmacVerifies) {
  const auto key = client_secret_key(kMaster);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto s = generate_client_secret(key);
    EXPECT_EQ(s.secret.size(), 43u);
    const auto raw = base64url_decode(s.secret);
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->size(), 32u);
    EXPECT_EQ(s.hmac.size(), 32u);
    EXPECT_EQ(s.hmac, hmac_sha256(key, s.secret));
    EXPECT_EQ(client_secret_hmac(key, s.secret), s.hmac);
    EXPECT_NE(client_secret_hmac(key, s.secret + "x"), s.hmac);
    EXPECT_TRUE(seen.insert(s.secret).second);
  }
}

}  // namespace
}  // namespace keyward::grants
