// An upstream's client secret at rest: it opens only under the same master key and for the
// same provider name, and the stored bytes never contain it.
#include <gtest/gtest.h>

#include "federation/provider_secret.h"

namespace keyward::test {
namespace {

const std::string kMaster(32, '\x07');
const std::string kSecret = "GOCSPX-very-secret-value";

TEST(ProviderSecret, OpensWithTheSameKeyAndName) {
  const auto key = federation::provider_secret_key(kMaster);
  const auto sealed = federation::seal_provider_secret(key, "google", kSecret);
  EXPECT_EQ(federation::open_provider_secret(key, "google", sealed), kSecret);
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);
  EXPECT_GT(sealed.size(), 28u);  // the table's CHECK
  // A fresh nonce each time.
  EXPECT_NE(federation::seal_provider_secret(key, "google", kSecret), sealed);
}

TEST(ProviderSecret, TheKeyIsDerivedNotTheMasterKeyItself) {
  const auto key = federation::provider_secret_key(kMaster);
  EXPECT_EQ(key.size(), 32u);
  EXPECT_NE(key, kMaster);
  const auto sealed = federation::seal_provider_secret(key, "google", kSecret);
  EXPECT_FALSE(federation::open_provider_secret(kMaster, "google", sealed));
}

TEST(ProviderSecret, AnotherNameOrMasterKeyOrAnyAlterationDoesNotOpen) {
  const auto key = federation::provider_secret_key(kMaster);
  const auto sealed = federation::seal_provider_secret(key, "google", kSecret);
  // A ciphertext copied onto another provider's row.
  EXPECT_FALSE(federation::open_provider_secret(key, "gitlab", sealed));
  EXPECT_FALSE(federation::open_provider_secret(
      federation::provider_secret_key(std::string(32, '\x08')), "google", sealed));
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_FALSE(federation::open_provider_secret(key, "google", altered)) << "byte " << i;
  }
}

}  // namespace
}  // namespace keyward::test
