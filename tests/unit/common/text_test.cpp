#include "common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace keyward {
namespace {

using namespace std::string_literals;

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain ascii"));
  EXPECT_TRUE(is_utf8("Zo\xC3\xAB"));             // ë
  EXPECT_TRUE(is_utf8("\xE2\x82\xAC"));           // €
  EXPECT_TRUE(is_utf8("\xF0\x9F\x94\x91"));       // 🔑
  EXPECT_TRUE(is_utf8("\xF4\x8F\xBF\xBF"));       // U+10FFFF
  EXPECT_TRUE(is_utf8("with a NUL \0 inside"s));  // NUL is UTF-8; has_control catches it
}

TEST(Utf8, RefusesWhatPostgresRefuses) {
  EXPECT_FALSE(is_utf8("\xFF"));
  EXPECT_FALSE(is_utf8("caf\xE9"));           // Latin-1 é
  EXPECT_FALSE(is_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_utf8("\x80"));              // lone continuation byte
}

TEST(HasControl, FindsC0AndDel) {
  EXPECT_FALSE(has_control("printable ~ text \xC3\xAB"));
  EXPECT_TRUE(has_control("a\0b"s));
  EXPECT_TRUE(has_control("a\tb"));
  EXPECT_TRUE(has_control("a\nb"));
  EXPECT_TRUE(has_control("a\x7F"));
}

TEST(HasSpaceOrControl, AlsoFindsSpace) {
  EXPECT_FALSE(has_space_or_control("https://a.example/cb"));
  EXPECT_TRUE(has_space_or_control("a b"));
  EXPECT_TRUE(has_space_or_control("a\x1F"));
}

TEST(Iequals, AsciiCaseOnlyAndLengthMatters) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(iequals("BEARER", "bearer"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Bearer", "Bearer "));
  EXPECT_FALSE(iequals("chunked", "chunkes"));
  // Only A-Z fold: no locale, so a byte above 0x7F or '@'/'[' next to the letters never
  // matches a letter.
  EXPECT_FALSE(iequals("\xC9", "\xE9"));
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
}

TEST(Vschar, IsPrintableAscii) {
  EXPECT_TRUE(is_vschar(""));
  EXPECT_TRUE(is_vschar(" !\"#~ state-value_01"));
  EXPECT_FALSE(is_vschar("\x1F"));
  EXPECT_FALSE(is_vschar("\x7F"));
  EXPECT_FALSE(is_vschar("caf\xC3\xA9"));
  EXPECT_FALSE(is_vschar("n0nce\0"s));
}

}  // namespace
}  // namespace keyward
