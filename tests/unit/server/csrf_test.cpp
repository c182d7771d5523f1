// CSRF tokens bound to the session's secret.
#include "server/endpoints/csrf.h"

#include <gtest/gtest.h>

#include "common/crypto.h"

namespace keyward::server {
namespace {

TEST(Csrf, TokenMatchesOnlyItsOwnSession) {
  const std::string a = random_bytes(32);
  const std::string b = random_bytes(32);
  const std::string token = csrf_token(a);
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(csrf_token(a), token) << "stable for the session: two tabs share it";
  EXPECT_TRUE(csrf_matches(a, token));
  EXPECT_FALSE(csrf_matches(b, token));
  EXPECT_FALSE(csrf_matches(a, ""));
  EXPECT_FALSE(csrf_matches(a, token.substr(1)));
  EXPECT_FALSE(csrf_matches("", csrf_token("")));
}

}  // namespace
}  // namespace keyward::server
