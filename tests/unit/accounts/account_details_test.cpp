// The sign-up details' rules (docs/accounts.md "Registration"): usernames, e-mail addresses
// and names, each refused value with the sentence people see, and signup_problem's order.
#include <gtest/gtest.h>

#include <string>

#include "accounts/account_details.h"
#include "accounts/account_mail.h"
#include "accounts/registration.h"

namespace keyward::accounts {
namespace {

TEST(Username, LettersDigitsDotsHyphensUnderscoresStartingWithALetterOrDigit) {
  for (const std::string& ok : {std::string("alice"), std::string("Bob"), std::string("a.b-c_d"),
                                std::string("007"), std::string("abc"), std::string(64, 'x')}) {
    EXPECT_FALSE(username_problem(ok)) << ok;
  }
}

TEST(Username, RefusesTheRest) {
  const std::string too_long(65, 'x');
  for (const std::string& bad : {std::string("ab"), too_long, std::string("")}) {
    EXPECT_EQ(username_problem(bad), "Choose a username of 3 to 64 characters.") << bad;
  }
  for (const std::string& bad :
       {std::string("a@b.example"), std::string("with space"), std::string(".dot"),
        std::string("-dash"), std::string("_under"), std::string("caf\xc3\xa9"),
        std::string("nul\0x", 5), std::string("tab\tx"), std::string("<b>x</b>")}) {
    EXPECT_EQ(username_problem(bad),
              "Use only letters, digits, dots, hyphens and underscores in your username, and "
              "start it with a letter or a digit.")
        << bad;
  }
}

TEST(Email, PlausibleAddresses) {
  for (const char* ok : {"a@b.c", "first.last+tag@example.co.uk", "ALICE@Example.COM",
                         "\xc3\xa9l\xc3\xa8"
                         "ve@\xc3\xa9"
                         "cole.fr"}) {
    EXPECT_FALSE(email_problem(ok)) << ok;
  }
  const std::string longest = std::string(308, 'a') + "@example.com";  // 320 bytes
  ASSERT_EQ(longest.size(), 320u);
  EXPECT_FALSE(email_problem(longest));
}

TEST(Email, RefusesImplausibleOnes) {
  EXPECT_EQ(email_problem(""), "Enter your e-mail address.");
  const std::string invalid = "Enter a valid e-mail address, like name@example.com.";
  for (const std::string& bad :
       {std::string("plain"), std::string("@example.com"), std::string("a@"),
        std::string("a@b@example.com"), std::string("a b@example.com"), std::string("a@example"),
        std::string("a@.example.com"), std::string("a@example.com."),
        std::string("a@exa\tmple.com"), std::string("a@example.com\r\nBcc: x@y.z"),
        std::string("a@ex\0ample.com", 14), std::string("\xff@example.com"),
        std::string(309, 'a') + "@example.com"}) {
    EXPECT_EQ(email_problem(bad), invalid) << bad;
  }
}

TEST(Names, OptionalPrintableAndAtMost200Characters) {
  EXPECT_FALSE(name_problem("", "Given name"));
  EXPECT_FALSE(name_problem("Zo\xc3\xab O'Brien-Sm\xc3\xafth", "Given name"));
  EXPECT_FALSE(name_problem(std::string(200, 'a'), "Given name"));
  EXPECT_EQ(name_problem(std::string(201, 'a'), "Given name"),
            "Given name can be at most 200 characters.");
  std::string two_hundred_accents;
  for (int i = 0; i < 200; ++i) two_hundred_accents += "\xc3\xa9";
  EXPECT_FALSE(name_problem(two_hundred_accents, "Family name")) << "characters, not bytes";
  EXPECT_EQ(name_problem(two_hundred_accents + "x", "Family name"),
            "Family name can be at most 200 characters.");
  EXPECT_EQ(name_problem("a\nb", "Given name"), "Given name must not contain control characters.");
}

TEST(SignupProblem, ReportsTheFirstProblemInTheFormsOrder) {
  SignupDetails d{"alice", "alice@example.com", "Alice", "", "correct horse battery staple"};
  EXPECT_FALSE(signup_problem(d));
  d.password = "alice-pass";
  ASSERT_TRUE(signup_problem(d));
  EXPECT_EQ(signup_problem(d)->field, SignupField::Password);
  d.family_name = "x\x01";
  EXPECT_EQ(signup_problem(d)->field, SignupField::FamilyName);
  d.email = "nope";
  EXPECT_EQ(signup_problem(d)->field, SignupField::Email);
  d.username = "a";
  EXPECT_EQ(signup_problem(d)->field, SignupField::Username);
}

TEST(LinkToken, TwoHundredFiftySixBitsAndOnlyThatShape) {
  const LinkToken a = new_link_token(), b = new_link_token();
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(a.token.size(), 43u);
  EXPECT_EQ(a.hash.size(), 32u);
  EXPECT_TRUE(is_link_token(a.token));
  EXPECT_FALSE(is_link_token(a.token.substr(1)));
  EXPECT_FALSE(is_link_token(a.token + "A"));
  EXPECT_FALSE(is_link_token(std::string(42, 'A') + "="));
  EXPECT_FALSE(is_link_token(""));
}

}  // namespace
}  // namespace keyward::accounts
