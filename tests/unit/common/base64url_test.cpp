#include "common/base64url.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

TEST(Base64Url, Rfc4648TestVectorsWithoutPadding) {
  const std::pair<std::string, std::string> rows[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : rows) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
}

TEST(Base64Url, RejectsNonCanonicalInput) {
  for (const char* bad :
       {"Zg==", "Zm8=", "+/8", "Zm 9v", "Zm9v\n", "A", "Zh" /* non-zero leftover bits */, "Z.g"}) {
    EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_FALSE(base64url_decode("Zm9=").has_value());
}

TEST(Base64Url, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 7) {
    auto part = all.substr(0, n);
    EXPECT_EQ(base64url_decode(base64url_encode(part)), part);
  }
}

}  // namespace
}  // namespace keyward
