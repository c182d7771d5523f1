// The Content-Type check the form endpoints (/token, /introspect, /revoke, POST /authorize,
// /login, /consent, /logout) make before reading a body (http/content_type.h).
#include "http/content_type.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace keyward::http {
namespace {

bool form_urlencoded(std::optional<std::string> content_type) {
  Headers headers;
  if (content_type) headers.add("Content-Type", std::move(*content_type));
  return is_form_urlencoded(headers);
}

struct Case {
  const char* name;  // the test's name
  const char* content_type;
  bool form;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class FormUrlencoded : public ::testing::TestWithParam<Case> {};

TEST_P(FormUrlencoded, Rfc9110_8_3_1_MediaTypeAloneDecides) {
  EXPECT_EQ(form_urlencoded(GetParam().content_type), GetParam().form)
      << "Content-Type: " << GetParam().content_type;
}

INSTANTIATE_TEST_SUITE_P(
    ContentTypes, FormUrlencoded,
    ::testing::Values(
        Case{"Bare", "application/x-www-form-urlencoded", true},
        Case{"CharsetParameter", "application/x-www-form-urlencoded; charset=UTF-8", true},
        Case{"ParameterWithoutSpace", "application/x-www-form-urlencoded;charset=utf-8", true},
        Case{"MixedCase", "Application/X-WWW-Form-Urlencoded", true},
        Case{"WhitespaceAround", "  application/x-www-form-urlencoded\t", true},
        Case{"WhitespaceBeforeParameter", "\tapplication/x-www-form-urlencoded ; charset=UTF-8",
             true},
        Case{"Json", "application/json", false},
        Case{"Multipart", "multipart/form-data; boundary=x", false},
        Case{"FormTypeOnlyInAParameter", "text/plain; x=application/x-www-form-urlencoded", false},
        Case{"LongerSubtype", "application/x-www-form-urlencoded-extra", false},
        Case{"ShorterSubtype", "application/x-www-form", false}, Case{"Empty", "", false}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(FormUrlencodedField, AbsentIsNotAForm) {
  EXPECT_FALSE(form_urlencoded(std::nullopt));
}

TEST(FormUrlencodedField, FieldNameIsCaseInsensitive) {
  Headers headers;
  headers.add("content-type", "application/x-www-form-urlencoded");
  EXPECT_TRUE(is_form_urlencoded(headers));
}

TEST(FormUrlencodedField, HostileValuesAreNotAForm) {
  using namespace std::string_literals;
  // NUL inside or after the media type, bytes that are not UTF-8, and a huge value: never
  // the form type, and nothing is read past what is compared.
  EXPECT_FALSE(form_urlencoded("application/x-www-form-urlencoded\0"s));
  EXPECT_FALSE(form_urlencoded("application/x-www-form\0urlencoded"s));
  EXPECT_FALSE(form_urlencoded("application/x-www-form-urlencoded\xC0\xAF"s));
  EXPECT_FALSE(form_urlencoded("\xFF"s));
  EXPECT_FALSE(form_urlencoded(std::string(1 << 20, 'a')));
  EXPECT_TRUE(form_urlencoded("application/x-www-form-urlencoded;" + std::string(1 << 20, 'a')));
}

}  // namespace
}  // namespace keyward::http
