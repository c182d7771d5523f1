#include "jose/status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "jose/alg.h"

namespace keyward::jose {
namespace {

TEST(Status, EveryValueHasItsOwnDescription) {
  std::set<std::string> seen;
  const int last = static_cast<int>(Status::KeyUnsupported);
  for (int i = 0; i <= last; ++i) {
    const auto text = std::string(to_string(static_cast<Status>(i)));
    EXPECT_FALSE(text.empty()) << i;
    EXPECT_NE(text, "unknown status") << i;
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(last + 1));
}

TEST(Alg, NamesRoundTrip) {
  for (Alg alg : kAllAlgs) EXPECT_EQ(parse_alg(alg_name(alg)), alg);
  EXPECT_EQ(alg_name(Alg::RS256), "RS256");
  EXPECT_EQ(alg_name(Alg::ES256), "ES256");
  EXPECT_EQ(alg_name(Alg::EdDSA), "EdDSA");
}

TEST(Alg, Rfc7515_4_1_1_NamesAreCaseSensitiveAndNoneOrHmacDoNotExist) {
  EXPECT_EQ(parse_alg("rs256"), std::nullopt);
  EXPECT_EQ(parse_alg("none"), std::nullopt);
  EXPECT_EQ(parse_alg("HS256"), std::nullopt);
  EXPECT_EQ(parse_alg("PS256"), std::nullopt);
  EXPECT_EQ(parse_alg(""), std::nullopt);
  EXPECT_EQ(parse_alg("RS256 "), std::nullopt);
}

}  // namespace
}  // namespace keyward::jose
