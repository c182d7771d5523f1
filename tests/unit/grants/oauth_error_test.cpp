#include "grants/oauth_error.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

TEST(OAuthError, Rfc6749_5_2_StatusesAndWireNames) {
  EXPECT_EQ(OAuthError::invalid_client("x").http_status(), 401);
  EXPECT_EQ(OAuthError::invalid_client("x").wire_name(), "invalid_client");
  EXPECT_EQ(OAuthError::invalid_grant("x").http_status(), 400);
  EXPECT_EQ(OAuthError::unsupported_grant_type("x").wire_name(), "unsupported_grant_type");
  EXPECT_EQ(OAuthError::invalid_token("x").http_status(), 401);
  EXPECT_EQ(OAuthError::insufficient_scope("x").http_status(), 403);
  EXPECT_EQ(OAuthError::server_error("boom").http_status(), 500);
}

TEST(OAuthError, ServerErrorNeverCarriesItsDetailToTheClient) {
  const auto e = OAuthError::server_error("pqxx: connection refused at 10.0.0.1");
  EXPECT_EQ(e.description, "internal error");
  EXPECT_EQ(e.log_detail, "pqxx: connection refused at 10.0.0.1");
}

}  // namespace
}  // namespace keyward::grants
