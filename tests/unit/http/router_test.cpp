// The routing table (http/router.h).
#include "http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace keyward::http {
namespace {

HttpResponse ok(const HttpRequest&) {
  return HttpResponse::json(200, {{"ok", true}});
}

TEST(Router, ExactMatch) {
  Router r;
  r.add(Method::Get, "/health/live", ok);
  r.add(Method::Post, "/token", ok, Execution::Worker);
  auto m = r.match(Method::Post, "/token");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  EXPECT_EQ(m.route->execution, Execution::Worker);
  EXPECT_EQ(r.match(Method::Get, "/health/live").route->execution, Execution::Reactor);
}

TEST(Router, UnknownPathIsNotFound) {
  Router r;
  r.add(Method::Get, "/health/live", ok);
  EXPECT_EQ(r.match(Method::Get, "/health/live/").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/Health/live").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/health/live%2F").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/").kind, Router::Match::Kind::NotFound);
}

TEST(Router, WrongMethodListsAllowed) {
  Router r;
  r.add(Method::Get, "/authorize", ok);
  r.add(Method::Post, "/authorize", ok);
  auto m = r.match(Method::Delete, "/authorize");
  EXPECT_EQ(m.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");
  EXPECT_EQ(m.route, nullptr);
}

TEST(Router, EveryMethodIsAnswered) {
  Router r;
  r.add(Method::Get, "/x", ok);
  for (Method method : kAllMethods) {
    auto m = r.match(method, "/x");
    EXPECT_EQ(m.kind, method == Method::Get ? Router::Match::Kind::Found
                                            : Router::Match::Kind::MethodNotAllowed)
        << method_name(method);
  }
}

TEST(Router, DuplicateRegistrationThrows) {
  Router r;
  r.add(Method::Get, "/x", ok);
  EXPECT_THROW(r.add(Method::Get, "/x", ok), std::logic_error);
}

TEST(Router, TemplateSegmentsAreDecodedParameters) {
  Router r;
  r.add(Method::Get, "/register/{client_id}", ok);
  r.add(Method::Delete, "/register/{client_id}", ok);
  auto m = r.match(Method::Get, "/register/abc%20d%C3%A9f");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  ASSERT_EQ(m.params.size(), 1U);
  EXPECT_EQ(m.params[0].first, "client_id");
  EXPECT_EQ(m.params[0].second,
            "abc d\xC3\xA9"
            "f");
  // '+' is a plus in a path, not a space.
  EXPECT_EQ(r.match(Method::Get, "/register/a+b").params[0].second, "a+b");
  // One segment only, never empty, never a bad escape, NUL or invalid UTF-8.
  EXPECT_EQ(r.match(Method::Get, "/register/a/b").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/register/").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/register").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/register/%zz").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/register/a%00").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/register/%FF").kind, Router::Match::Kind::NotFound);
  // Another method on a template path: 405 with what it allows.
  auto wrong = r.match(Method::Post, "/register/abc");
  EXPECT_EQ(wrong.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(wrong.allow, "GET, DELETE");
  EXPECT_TRUE(wrong.params.empty());
}

TEST(Router, LiteralPathsWinOverTemplatesAndSpecificOverGeneral) {
  Router r;
  r.add(Method::Get, "/users/{id}", ok);
  r.add(Method::Post, "/users/{id}/{action}", ok);
  r.add(Method::Post, "/users/{id}/disable", ok, Execution::Worker);
  r.add(Method::Get, "/users/search", ok, Execution::Worker);
  auto literal = r.match(Method::Get, "/users/search");
  ASSERT_EQ(literal.kind, Router::Match::Kind::Found);
  EXPECT_EQ(literal.route->execution, Execution::Worker);
  EXPECT_TRUE(literal.params.empty());
  // The literal path answers alone: its other methods are 405, not the template's.
  EXPECT_EQ(r.match(Method::Post, "/users/search").kind, Router::Match::Kind::MethodNotAllowed);
  auto specific = r.match(Method::Post, "/users/42/disable");
  ASSERT_EQ(specific.kind, Router::Match::Kind::Found);
  EXPECT_EQ(specific.route->execution, Execution::Worker);
  ASSERT_EQ(specific.params.size(), 1U);
  EXPECT_EQ(specific.params[0].second, "42");
  auto general = r.match(Method::Post, "/users/42/enable");
  ASSERT_EQ(general.kind, Router::Match::Kind::Found);
  ASSERT_EQ(general.params.size(), 2U);
  EXPECT_EQ(general.params[1].first, "action");
  EXPECT_EQ(general.params[1].second, "enable");
}

TEST(Router, MalformedTemplatesThrow) {
  Router r;
  EXPECT_THROW(r.add(Method::Get, "/a/{}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a/b{c}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a/{b}{c}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a/{b", ok), std::logic_error);
  EXPECT_NO_THROW(r.add(Method::Get, "/a/{b}", ok));
  EXPECT_THROW(r.add(Method::Get, "/a/{b}", ok), std::logic_error);
}

TEST(HttpRequest, PathParamByName) {
  HttpRequest request;
  request.path_params = {{"id", "7"}, {"action", "x"}};
  EXPECT_EQ(request.path_param("action"), "x");
  EXPECT_EQ(request.path_param("nope"), "");
}

TEST(Method, NamesRoundTripAndAreCaseSensitive) {
  for (Method method : kAllMethods) EXPECT_EQ(parse_method(method_name(method)), method);
  EXPECT_FALSE(parse_method("get").has_value());
  EXPECT_FALSE(parse_method("BREW").has_value());
}

}  // namespace
}  // namespace keyward::http
