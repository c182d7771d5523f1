// The password rules (docs/accounts.md "Passwords"): length in characters, printable,
// not the username, not one of the passwords attackers try first nor a trivial pattern.
#include <gtest/gtest.h>

#include <string>

#include "accounts/password_policy.h"

namespace keyward::accounts {
namespace {

TEST(PasswordPolicy, AcceptsLongEnoughUncommonPasswords) {
  for (const std::string& ok :
       {std::string("correct horse battery staple"), std::string("Tr0ub4dor&3x"),
        std::string("\xc3\xa9t\xc3\xa9 \xc3\xa0 Paris"), "ab" + std::string(1022, 'x')}) {
    EXPECT_FALSE(password_problem(ok, "alice")) << ok;
  }
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
  // Seven two-byte characters: 14 bytes, still too short.
  EXPECT_EQ(password_problem("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "alice"),
            "Use at least 8 characters.");
  EXPECT_EQ(password_problem("short", "alice"), "Use at least 8 characters.");
  EXPECT_EQ(password_problem(std::string(1025, 'q') + "w", "alice"), "Use at most 1024 bytes.");
}

TEST(PasswordPolicy, RefusesControlCharactersAndBadUtf8) {
  EXPECT_EQ(password_problem("tab\there-and-more", "alice"), "Use only printable characters.");
  EXPECT_EQ(password_problem("bad\xff-utf8-bytes", "alice"), "Use only printable characters.");
}

TEST(PasswordPolicy, RefusesTheUsernameInAnyCase) {
  const std::string said = "Do not use your username in your password.";
  EXPECT_EQ(password_problem("alice123!", "alice"), said);
  EXPECT_EQ(password_problem("MyALICEpass", "alice"), said);
  EXPECT_EQ(password_problem("bobbobbo", "bobbobbo"), said);
  // A name shorter than 4 characters inside a password is a coincidence.
  EXPECT_FALSE(password_problem("embody the storm", "bo"));
}

TEST(PasswordPolicy, RefusesCommonPasswordsAndTrivialPatterns) {
  const std::string said =
      "This password is among the first that attackers try. Choose another one.";
  for (const char* bad : {"password", "PassWord1", "qwertyuiop", "iloveyou", "aaaaaaaaaa",
                          "12345678", "abcdefghij", "87654321", "zyxwvuts"}) {
    EXPECT_EQ(password_problem(bad, "alice"), said) << bad;
  }
}

}  // namespace
}  // namespace keyward::accounts
