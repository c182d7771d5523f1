// Strict application/x-www-form-urlencoded decoding (http/form.h).
#include "http/form.h"

#include <gtest/gtest.h>

namespace keyward::http {
namespace {

struct DecodeCase {
  const char* name;
  const char* input;
  const char* expected;  // nullptr: must fail
};

class PercentDecode : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(PercentDecode, Decodes) {
  const auto& c = GetParam();
  auto r = percent_decode(c.input);
  if (c.expected == nullptr) {
    EXPECT_FALSE(r.ok()) << c.input;
  } else {
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    EXPECT_EQ(r.value(), c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, PercentDecode,
                         ::testing::Values(DecodeCase{"Plain", "abc", "abc"},
                                           DecodeCase{"PlusIsSpace", "a+b", "a b"},
                                           DecodeCase{"EncodedPlus", "a%2Bb", "a+b"},
                                           DecodeCase{"UpperAndLowerHex", "%2f%2F", "//"},
                                           DecodeCase{"EncodedPercent", "100%25", "100%"},
                                           DecodeCase{"Utf8", "%C3%A9", "\xC3\xA9"},
                                           DecodeCase{"InvalidUtf8Refused", "%FF%FE", nullptr},
                                           DecodeCase{"Latin1Refused", "caf%E9", nullptr},
                                           DecodeCase{"OverlongSlashRefused", "%C0%AF", nullptr},
                                           DecodeCase{"SurrogateRefused", "%ED%A0%80", nullptr},
                                           DecodeCase{"RawInvalidUtf8Refused", "caf\xE9", nullptr},
                                           DecodeCase{"EncodedNulRefused", "a%00b", nullptr},
                                           DecodeCase{"PercentThenNonHex", "%zz", nullptr},
                                           DecodeCase{"PercentThenOneHex", "%4g", nullptr},
                                           DecodeCase{"TruncatedAtEnd", "abc%4", nullptr},
                                           DecodeCase{"LonePercentAtEnd", "abc%", nullptr},
                                           DecodeCase{"PercentSpace", "% 41", nullptr}),
                         [](const auto& info) { return std::string(info.param.name); });

// libpq ends a string at NUL: "alice%00" would be looked up as "alice".
TEST(PercentDecode, NulByteIsRefused) {
  auto r = percent_decode("a%00b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "a parameter contains NUL");
  EXPECT_FALSE(percent_decode(std::string("raw\0nul", 7)).ok());
}

TEST(PercentDecode, PlusKeptWhenNotForm) {
  auto r = percent_decode("a+b", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "a+b");
}

TEST(FormParse, PairsInOrder) {
  auto r = parse_form_urlencoded("grant_type=client_credentials&scope=read+write&x=%3D%26");
  ASSERT_TRUE(r.ok());
  const auto& items = r->items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].name, "grant_type");
  EXPECT_EQ(items[0].value, "client_credentials");
  EXPECT_EQ(items[1].value, "read write");
  EXPECT_EQ(items[2].value, "=&");
  EXPECT_EQ(r->get("scope").value(), "read write");
  EXPECT_FALSE(r->get("missing").has_value());
}

TEST(FormParse, EmptyInputIsNoParameters) {
  auto r = parse_form_urlencoded("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(FormParse, EmptyPairsSkippedAndMissingValueIsEmpty) {
  auto r = parse_form_urlencoded("&a&&b=&c=1&");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->get("a").value(), "");
  EXPECT_EQ(r->get("b").value(), "");
  EXPECT_EQ(r->get("c").value(), "1");
}

TEST(FormParse, OnlyFirstEqualsSeparates) {
  auto r = parse_form_urlencoded("state=a=b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get("state").value(), "a=b");
}

TEST(FormParse, EncodedNamesAreDecoded) {
  auto r = parse_form_urlencoded("client%5Fid=abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get("client_id").value(), "abc");
}

TEST(FormParse, BadEncodingInValueFailsWithOffset) {
  auto r = parse_form_urlencoded("a=1&code=ab%zz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "'%' must be followed by two hex digits");
  EXPECT_EQ(r.error().offset, 11u);
}

TEST(FormParse, BadEncodingInNameFails) {
  EXPECT_FALSE(parse_form_urlencoded("a%G1=1").ok());
}

// RFC 6749 §3.1/§3.2: parameters MUST NOT be included more than once.
TEST(FormParse, Rfc6749_3_1_RepeatedNamesReported) {
  auto r = parse_form_urlencoded("scope=a&client_id=x&scope=b&client_id=y&scope=c&state=s");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->repeated_names(), (std::vector<std::string>{"scope", "client_id"}));
  EXPECT_EQ(r->count("scope"), 3u);
  EXPECT_EQ(r->get("scope").value(), "a");
  const auto all = r->get_all("client_id");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], "y");
}

TEST(FormParse, RepeatedAfterDecodingIsRepeated) {
  // "scope" and "sc%6Fpe" are the same parameter once decoded.
  auto r = parse_form_urlencoded("scope=a&sc%6Fpe=b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->repeated_names(), (std::vector<std::string>{"scope"}));
}

TEST(FormParse, NulOrInvalidUtf8InNameOrValueFails) {
  EXPECT_FALSE(parse_form_urlencoded("client_id=abc%00").ok());
  EXPECT_FALSE(parse_form_urlencoded("username=mallory%00&password=x").ok());
  EXPECT_FALSE(parse_form_urlencoded("client_id=%FF").ok());
  EXPECT_FALSE(parse_form_urlencoded("na%00me=v").ok());
  EXPECT_FALSE(parse_form_urlencoded("n%C3=v").ok());
  EXPECT_TRUE(parse_form_urlencoded("name=Zo%C3%AB").ok());
}

TEST(FormParse, AtMostMaxParams) {
  std::string body;
  for (size_t i = 0; i < kMaxFormParams; ++i) body += "p" + std::to_string(i) + "=v&";
  auto at_limit = parse_form_urlencoded(body);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->size(), kMaxFormParams);
  auto over = parse_form_urlencoded(body + "one=more");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message, "too many parameters (at most 100)");
  // Empty pairs are not parameters.
  EXPECT_TRUE(parse_form_urlencoded(body + "&&&").ok());
}

TEST(FormParse, RepeatedNamesInOrderOfFirstAppearance) {
  FormParams params({{"a", "1"}, {"b", "1"}, {"b", "2"}, {"a", "2"}, {"a", "3"}, {"c", "1"}});
  EXPECT_EQ(params.repeated_names(), (std::vector<std::string>{"a", "b"}));
}

TEST(FormParse, NoRepeats) {
  auto r = parse_form_urlencoded("a=1&b=2");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->repeated_names().empty());
}

TEST(FormEncode, RoundTrips) {
  const std::string raw = "a b+c&d=e/\xC3\xA9~_.-";
  const std::string encoded = form_urlencode(raw);
  EXPECT_EQ(encoded, "a%20b%2Bc%26d%3De%2F%C3%A9~_.-");
  auto decoded = percent_decode(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), raw);
}

}  // namespace
}  // namespace keyward::http
