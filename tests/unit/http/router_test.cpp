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

TEST(Router, TemplateCapturesTheLastSegment) {
  Router r;
  r.add(Method::Post, "/register", ok);
  r.add(Method::Get, "/register/{client_id}", ok);
  r.add(Method::Delete, "/register/{client_id}", ok);
  auto m = r.match(Method::Get, "/register/abc%20def");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  EXPECT_EQ(m.path_param, "abc%20def");
  EXPECT_EQ(r.match(Method::Post, "/register").path_param, "");
  EXPECT_EQ(r.match(Method::Post, "/register").kind, Router::Match::Kind::Found);
  // An empty segment, a nested path, or another prefix is not the template.
  EXPECT_EQ(r.match(Method::Get, "/register/").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/register/a/b").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/registerx").kind, Router::Match::Kind::NotFound);
  auto wrong = r.match(Method::Put, "/register/abc");
  EXPECT_EQ(wrong.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(wrong.allow, "GET, DELETE");
}

TEST(Router, ExactPathsWinOverTemplates) {
  Router r;
  r.add(Method::Get, "/items/{id}", ok);
  r.add(Method::Post, "/items/new", ok, Execution::Worker);
  auto m = r.match(Method::Post, "/items/new");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  EXPECT_EQ(m.route->execution, Execution::Worker);
  EXPECT_EQ(m.path_param, "");
  // The exact path answers its own methods: GET on it is 405, not the template.
  EXPECT_EQ(r.match(Method::Get, "/items/new").kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(r.match(Method::Get, "/items/7").path_param, "7");
}

TEST(Router, MalformedTemplatesThrow) {
  Router r;
  EXPECT_THROW(r.add(Method::Get, "/a/{id}/b", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a{id}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a/{}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a/{i{d}", ok), std::logic_error);
  EXPECT_FALSE(is_path_template("/a/b"));
  EXPECT_TRUE(is_path_template("/a/{id}"));
}

TEST(Method, NamesRoundTripAndAreCaseSensitive) {
  for (Method method : kAllMethods) EXPECT_EQ(parse_method(method_name(method)), method);
  EXPECT_FALSE(parse_method("get").has_value());
  EXPECT_FALSE(parse_method("BREW").has_value());
}

}  // namespace
}  // namespace keyward::http
