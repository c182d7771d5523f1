// A browser request's parameters, decoded once (server/endpoints/browser_form.h): what the
// CSRF check, the login and consent fields and the carried authorization request each read.
#include "server/endpoints/browser_form.h"

#include <gtest/gtest.h>

namespace keyward::server {
namespace {

http::HttpRequest post(std::string body,
                       std::string content_type = "application/x-www-form-urlencoded") {
  http::HttpRequest request;
  request.method = http::Method::Post;
  request.headers.add("Content-Type", std::move(content_type));
  request.body = std::move(body);
  return request;
}

TEST(BrowserForm, GetReadsTheQueryWithoutOurOwnFields) {
  http::HttpRequest request;
  request.query = http::FormParams({{"client_id", "app"}, {"csrf_token", "t"}, {"state", "s"}});
  const auto form = BrowserForm::read(request);
  const auto params = form.request_params();
  ASSERT_TRUE(params.ok()) << params.error();
  EXPECT_EQ(*params, (grants::RawParams{{"client_id", "app"}, {"state", "s"}}));
}

TEST(BrowserForm, PostReadsTheBodyOnceForFieldsAndRequest) {
  const auto form = BrowserForm::read(
      post("client_id=app&csrf_token=tok&username=alice&password=p%20w&decision=allow&scope=a+b"));
  EXPECT_EQ(form.field("csrf_token"), "tok");
  EXPECT_EQ(form.field("username"), "alice");
  EXPECT_EQ(form.field("password"), "p w");
  EXPECT_EQ(form.field("decision"), "allow");
  const auto params = form.request_params();
  ASSERT_TRUE(params.ok()) << params.error();
  EXPECT_EQ(*params, (grants::RawParams{{"client_id", "app"}, {"scope", "a b"}}));
}

TEST(BrowserForm, RepeatedOrAbsentFieldIsNone) {
  const auto form = BrowserForm::read(post("csrf_token=a&csrf_token=b"));
  EXPECT_EQ(form.field("csrf_token"), std::nullopt);
  EXPECT_EQ(form.field("username"), std::nullopt);
}

TEST(BrowserForm, WrongContentTypeStillShowsTheCsrfTokenButNotTheRequest) {
  const auto form = BrowserForm::read(post("csrf_token=tok&client_id=app", "text/plain"));
  EXPECT_EQ(form.field("csrf_token"), "tok");
  const auto params = form.request_params();
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.error(), "the form must be sent as application/x-www-form-urlencoded");
}

TEST(BrowserForm, MalformedBodyHasNoFieldsAndSaysSo) {
  const auto form = BrowserForm::read(post("csrf_token=tok&client_id=%zz"));
  EXPECT_EQ(form.field("csrf_token"), std::nullopt);
  const auto params = form.request_params();
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.error().rfind("the form is malformed: ", 0), 0u) << params.error();
}

TEST(BrowserForm, QueryErrorComesFirst) {
  auto request = post("client_id=%zz", "text/plain");
  request.query_error = "the query is malformed";
  const auto params = BrowserForm::read(request).request_params();
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.error(), "the query is malformed");
}

}  // namespace
}  // namespace keyward::server
