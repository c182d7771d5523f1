// Cookie header parsing (RFC 6265 §4.2.1; http/cookies.h): malformed pairs are
// skipped, and a name that came with one is absent.
#include "http/cookies.h"

#include <gtest/gtest.h>

namespace keyward::http {
namespace {

TEST(CookieHeader, Rfc6265_4_2_1_TwoPairs) {
  auto r = parse_cookie_header("sid=abc123; csrf=x-y_z");
  ASSERT_EQ(r.items().size(), 2u);
  EXPECT_EQ(r.get("sid").value(), "abc123");
  EXPECT_EQ(r.get("csrf").value(), "x-y_z");
}

TEST(CookieHeader, QuotedValueIsUnquoted) {
  auto r = parse_cookie_header("a=\"v1\"");
  EXPECT_EQ(r.get("a").value(), "v1");
}

TEST(CookieHeader, EmptyValueAllowed) {
  auto r = parse_cookie_header("a=");
  EXPECT_EQ(r.get("a").value(), "");
}

TEST(CookieHeader, NoSpaceAndTrailingSemicolonTolerated) {
  auto r = parse_cookie_header("a=1;b=2; ");
  EXPECT_EQ(r.get("b").value(), "2");
  auto t = parse_cookie_header("a=1;");
  EXPECT_EQ(t.items().size(), 1u);
}

TEST(CookieHeader, RepeatedNamesKeptInOrder) {
  auto r = parse_cookie_header("sid=new; sid=old");
  EXPECT_EQ(r.count("sid"), 2u);
  EXPECT_EQ(r.get("sid").value(), "new");
}

TEST(CookieHeader, Base64urlValuesAllowed) {
  auto r = parse_cookie_header("sid=AbC-_09xyz");
  EXPECT_EQ(r.get("sid").value(), "AbC-_09xyz");
}

struct BadCase {
  const char* name;
  const char* header;
  const char* bad_name;  // the name remembered as malformed, or nullptr
};

class MalformedPair : public ::testing::TestWithParam<BadCase> {};

// A sibling subdomain's broken cookie must not cost us ours.
TEST_P(MalformedPair, SkippedWithoutLosingTheOthers) {
  const auto& c = GetParam();
  const std::string header = std::string("k=kept; ") + c.header + "; z=last";
  auto r = parse_cookie_header(header);
  EXPECT_EQ(r.get("k").value_or("<absent>"), "kept") << header;
  EXPECT_EQ(r.get("z").value_or("<absent>"), "last") << header;
  EXPECT_EQ(r.skipped(), 1u) << header;
  if (c.bad_name != nullptr) {
    EXPECT_EQ(r.malformed_names(), std::vector<std::string>{c.bad_name});
    EXPECT_FALSE(r.get(c.bad_name).has_value());
  } else {
    EXPECT_TRUE(r.malformed_names().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedPair,
    ::testing::Values(
        BadCase{"FrontDoorTestCase", "=", nullptr}, BadCase{"EmptyName", "=v", nullptr},
        BadCase{"NoEquals", "flag", "flag"}, BadCase{"SpaceInName", "a b=1", nullptr},
        BadCase{"SeparatorInName", "a(b=1", nullptr}, BadCase{"SpaceInValue", "a=x y", "a"},
        BadCase{"CommaInValue", "a=x,y", "a"}, BadCase{"BackslashInValue", "a=x\\y", "a"},
        BadCase{"LoneQuote", "a=\"x", "a"}, BadCase{"QuoteInside", "a=x\"y", "a"},
        BadCase{"ControlByte", "a=x\x01y", "a"}, BadCase{"NonAscii", "a=\xC3\xA9", "a"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CookieHeader, EmptyHeadersAndPairsAreNoCookies) {
  EXPECT_TRUE(parse_cookie_header("").empty());
  EXPECT_TRUE(parse_cookie_header("   ").empty());
  auto r = parse_cookie_header(";a=1;;b=2;");
  EXPECT_EQ(r.items().size(), 2u);
  EXPECT_EQ(r.skipped(), 0u);
}

// Strict where it matters: when any pair named like the session cookie is malformed,
// no value of that name is believed, not even a well-formed one beside it.
TEST(CookieHeader, NameWithAMalformedPairIsAbsent) {
  auto r = parse_cookie_header("sid=good; sid=\"broken; other=1");
  EXPECT_FALSE(r.get("sid").has_value());
  EXPECT_EQ(r.count("sid"), 1u);
  EXPECT_EQ(r.get("other").value(), "1");
}

}  // namespace
}  // namespace keyward::http
