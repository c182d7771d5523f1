// Strict Cookie header parsing (RFC 6265 §4.2.1; server/http/cookies.h).
#include "server/http/cookies.h"

#include <gtest/gtest.h>

namespace keyward::server {
namespace {

TEST(CookieHeader, Rfc6265_4_2_1_TwoPairs) {
  auto r = parse_cookie_header("sid=abc123; csrf=x-y_z");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->items().size(), 2u);
  EXPECT_EQ(r->get("sid").value(), "abc123");
  EXPECT_EQ(r->get("csrf").value(), "x-y_z");
}

TEST(CookieHeader, QuotedValueIsUnquoted) {
  auto r = parse_cookie_header("a=\"v1\"");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->get("a").value(), "v1");
}

TEST(CookieHeader, EmptyValueAllowed) {
  auto r = parse_cookie_header("a=");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->get("a").value(), "");
}

TEST(CookieHeader, NoSpaceAndTrailingSemicolonTolerated) {
  auto r = parse_cookie_header("a=1;b=2; ");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->get("b").value(), "2");
  auto t = parse_cookie_header("a=1;");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->items().size(), 1u);
}

TEST(CookieHeader, RepeatedNamesKeptInOrder) {
  auto r = parse_cookie_header("sid=new; sid=old");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count("sid"), 2u);
  EXPECT_EQ(r->get("sid").value(), "new");
}

TEST(CookieHeader, Base64urlValuesAllowed) {
  auto r = parse_cookie_header("sid=AbC-_09xyz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get("sid").value(), "AbC-_09xyz");
}

struct BadCase {
  const char* name;
  const char* header;
  const char* error;
};

class MalformedCookie : public ::testing::TestWithParam<BadCase> {};

TEST_P(MalformedCookie, Refused) {
  auto r = parse_cookie_header(GetParam().header);
  ASSERT_FALSE(r.ok()) << GetParam().header;
  EXPECT_EQ(r.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedCookie,
    ::testing::Values(BadCase{"Empty", "", "empty Cookie header"},
                      BadCase{"OnlySpaces", "   ", "empty Cookie header"},
                      BadCase{"FrontDoorTestCase", "=;;\"bad", "cookie-name is not a token"},
                      BadCase{"EmptyName", "=v", "cookie-name is not a token"},
                      BadCase{"NoEquals", "flag", "cookie-pair without '='"},
                      BadCase{"EmptyPairInMiddle", "a=1;;b=2", "empty cookie-pair"},
                      BadCase{"LeadingSemicolon", ";a=1", "empty cookie-pair"},
                      BadCase{"SpaceInName", "a b=1", "cookie-name is not a token"},
                      BadCase{"SeparatorInName", "a(b=1", "cookie-name is not a token"},
                      BadCase{"SpaceInValue", "a=x y", "cookie-value has a forbidden byte"},
                      BadCase{"CommaInValue", "a=x,y", "cookie-value has a forbidden byte"},
                      BadCase{"BackslashInValue", "a=x\\y", "cookie-value has a forbidden byte"},
                      BadCase{"LoneQuote", "a=\"x", "cookie-value has a forbidden byte"},
                      BadCase{"QuoteInside", "a=x\"y", "cookie-value has a forbidden byte"},
                      BadCase{"ControlByte", "a=x\x01y", "cookie-value has a forbidden byte"},
                      BadCase{"NonAscii", "a=\xC3\xA9", "cookie-value has a forbidden byte"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace keyward::server
