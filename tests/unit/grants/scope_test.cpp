#include "grants/scope.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

TEST(Scope, Rfc6749_3_3_ParsesSpaceDelimitedTokens) {
  auto s = parse_scope("openid profile api:read");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(format_scope(*s), "api:read openid profile");
  EXPECT_EQ(parse_scope("")->size(), 0u);
}

TEST(Scope, Rfc6749_3_3_RejectsBadTokens) {
  for (const char* bad : {" openid", "openid ", "a  b", "a\"b", "a\\b", "a\tb", "caf\xc3\xa9"}) {
    EXPECT_FALSE(parse_scope(bad).has_value()) << bad;
  }
}

TEST(Scope, DuplicatesCollapse) {
  EXPECT_EQ(parse_scope("a a b")->size(), 2u);
}

TEST(Scope, SubsetIsCaseSensitive) {
  const ScopeSet allowed{"api:read", "openid"};
  EXPECT_TRUE(is_subset(*parse_scope("openid"), allowed));
  EXPECT_TRUE(is_subset(*parse_scope(""), allowed));
  EXPECT_FALSE(is_subset(*parse_scope("OpenID"), allowed));
  EXPECT_FALSE(is_subset(*parse_scope("openid api:write"), allowed));
}

}  // namespace
}  // namespace keyward::grants
