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

TEST(Router, TemplateSegmentsAreDecodedParams) {
  Router r;
  r.add(Method::Get, "/admin/v1/clients/{client_id}", ok);
  r.add(Method::Delete, "/admin/v1/clients/{client_id}", ok);
  r.add(Method::Post, "/admin/v1/users/{id}/consents/{client_id}", ok);
  auto m = r.match(Method::Get, "/admin/v1/clients/abc%2Fdef");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "client_id");
  EXPECT_EQ(m.params[0].second, "abc/def");
  m = r.match(Method::Post, "/admin/v1/users/u1/consents/c%20d");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].second, "u1");
  EXPECT_EQ(m.params[1].second, "c d");
  // Wrong method on a template: 405 with the template's methods.
  m = r.match(Method::Put, "/admin/v1/clients/x");
  EXPECT_EQ(m.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, DELETE");
  // Empty, extra or undecodable segments match nothing.
  EXPECT_EQ(r.match(Method::Get, "/admin/v1/clients/").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/admin/v1/clients/a/b").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/admin/v1/clients/%zz").kind, Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match(Method::Get, "/admin/v1/clients/%00").kind, Router::Match::Kind::NotFound);
}

TEST(Router, ExactPathWinsOverTemplate) {
  Router r;
  r.add(Method::Get, "/things/{id}", ok);
  r.add(Method::Post, "/things/rotate", ok);
  auto m = r.match(Method::Post, "/things/rotate");
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  EXPECT_EQ(m.route->path, "/things/rotate");
  EXPECT_TRUE(m.params.empty());
  // The exact path exists: GET on it is 405, not the template.
  EXPECT_EQ(r.match(Method::Get, "/things/rotate").kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(r.match(Method::Get, "/things/other").kind, Router::Match::Kind::Found);
}

TEST(Router, MalformedTemplateThrows) {
  Router r;
  EXPECT_THROW(r.add(Method::Get, "/a/x{id}", ok), std::logic_error);
  EXPECT_THROW(r.add(Method::Get, "/a/{}", ok), std::logic_error);
}

TEST(Method, NamesRoundTripAndAreCaseSensitive) {
  for (Method method : kAllMethods) EXPECT_EQ(parse_method(method_name(method)), method);
  EXPECT_FALSE(parse_method("get").has_value());
  EXPECT_FALSE(parse_method("BREW").has_value());
}

}  // namespace
}  // namespace keyward::http
