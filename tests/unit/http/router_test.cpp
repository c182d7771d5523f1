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

TEST(Method, NamesRoundTripAndAreCaseSensitive) {
  for (Method method : kAllMethods) EXPECT_EQ(parse_method(method_name(method)), method);
  EXPECT_FALSE(parse_method("get").has_value());
  EXPECT_FALSE(parse_method("BREW").has_value());
}

}  // namespace
}  // namespace keyward::http
