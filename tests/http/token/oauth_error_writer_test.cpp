// The one OAuth JSON error writer (server/endpoints/oauth_error_writer.h), in-process: the
// paths the black-box tests cannot provoke on demand (5xx, Retry-After on 503).
#include "server/endpoints/oauth_error_writer.h"

#include <gtest/gtest.h>

namespace keyward::server {
namespace {

using grants::OAuthError;

TEST(OAuthErrorWriter, Rfc6749_5_2_BodyAndNoStore) {
  const auto r =
      oauth_error_response(OAuthError::invalid_scope("too much", "secret detail"), "rid");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            (nlohmann::json{{"error", "invalid_scope"}, {"error_description", "too much"}}));
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers.get("Pragma"), "no-cache");
  EXPECT_FALSE(r.headers.contains("WWW-Authenticate"));
  EXPECT_FALSE(r.headers.contains("Retry-After"));
}

TEST(OAuthErrorWriter, InvalidClientChallengesOnlyWhenBasicWasUsed) {
  auto e = OAuthError::invalid_client("client authentication failed");
  EXPECT_FALSE(oauth_error_response(e, "rid").headers.contains("WWW-Authenticate"));
  e.basic_auth_used = true;
  const auto r = oauth_error_response(e, "rid");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Basic realm=\"keyward\"");
}

TEST(OAuthErrorWriter, ServerErrorShowsTheRequestIdNeverTheCause) {
  const auto r = oauth_error_response(OAuthError::server_error("pqxx: relation missing"), "req-42");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(nlohmann::json::parse(r.body), (nlohmann::json{{"error", "server_error"},
                                                           {"error_description", "internal error"},
                                                           {"request_id", "req-42"}}));
  EXPECT_EQ(r.body.find("pqxx"), std::string::npos);
}

TEST(OAuthErrorWriter, RetryAfterInWholeSecondsAtLeastOne) {
  const auto busy = oauth_error_response(
      OAuthError::temporarily_unavailable("busy", std::chrono::seconds(3)), "rid");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.headers.get("Retry-After"), "3");
  auto throttled = OAuthError::invalid_grant("slow down");
  throttled.retry_after = std::chrono::seconds(0);
  EXPECT_EQ(oauth_error_response(throttled, "rid").headers.get("Retry-After"), "1");
}

TEST(OAuthErrorWriter, LogsTheDetailWithTheRequestId) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  ASSERT_NE(out, nullptr);
  {
    Logger logger(LogLevel::Info, out);
    http::HttpRequest request;
    request.request_id = "req-7";
    request.path = "/token";
    (void)write_oauth_error(OAuthError::server_error("the cause"), request, logger);
  }
  std::fclose(out);
  const std::string logged(buffer, size);
  std::free(buffer);
  const auto line = nlohmann::json::parse(logged);
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["request_id"], "req-7");
  EXPECT_EQ(line["detail"], "the cause");
  EXPECT_EQ(line["status"], 500);
}

}  // namespace
}  // namespace keyward::server
