// Response helpers and security headers (http/response.h, security_headers.h).
#include "http/response.h"

#include <gtest/gtest.h>

#include "http/security_headers.h"

namespace keyward::http {
namespace {

TEST(Response, JsonErrorShape) {
  const auto r = json_error(400, "invalid_request", "missing grant_type");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"error":"invalid_request","error_description":"missing grant_type"})");
  EXPECT_EQ(r.headers.get("Content-Type").value(), "application/json");
  EXPECT_EQ(r.headers.get("Cache-Control").value(), "no-store");
}

TEST(Response, InvalidUtf8IsReplacedNotThrown) {
  const auto r = HttpResponse::json(400, {{"x", std::string("a\xff")}});
  EXPECT_EQ(r.body, "{\"x\":\"a\xEF\xBF\xBD\"}");
}

TEST(Response, HtmlPagesCarryTheSecurityHeaders) {
  const auto r = HttpResponse::html(200, "<p>hi</p>");
  EXPECT_EQ(r.headers.get("Content-Type").value(), "text/html; charset=utf-8");
  const std::string csp(r.headers.get("Content-Security-Policy").value());
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(r.headers.get("X-Frame-Options").value(), "DENY");
  EXPECT_EQ(r.headers.get("Referrer-Policy").value(), "no-referrer");
  EXPECT_EQ(r.headers.get("Cache-Control").value(), "no-store");
  EXPECT_EQ(r.headers.get("X-Content-Type-Options").value(), "nosniff");
}

TEST(Headers, CaseInsensitiveAndRepeatable) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("set-cookie", "b=2");
  h.add("X-One", "1");
  EXPECT_EQ(h.count("SET-COOKIE"), 2u);
  EXPECT_EQ(h.get("Set-Cookie").value(), "a=1");
  EXPECT_EQ(h.get_all("set-cookie").size(), 2u);
  h.set("x-one", "2");
  EXPECT_EQ(h.get("X-One").value(), "2");
  EXPECT_EQ(h.count("X-One"), 1u);
  h.remove("SET-cookie");
  EXPECT_FALSE(h.contains("Set-Cookie"));
  EXPECT_FALSE(h.get("missing").has_value());
}

}  // namespace
}  // namespace keyward::http
