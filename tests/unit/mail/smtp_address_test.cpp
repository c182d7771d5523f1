// Addresses as the SMTP sender takes them: the address inside "Name <address>", and which
// recipients are refused before any connection (no header or command injection).
#include <gtest/gtest.h>

#include "mail/smtp_sender.h"

namespace keyward::mail {
namespace {

TEST(SmtpAddress, TheAddressOfAMailbox) {
  EXPECT_EQ(address_of("Keyward <no-reply@id.example>"), "no-reply@id.example");
  EXPECT_EQ(address_of("  no-reply@id.example "), "no-reply@id.example");
  EXPECT_EQ(address_of("\"A <b>\" <c@d.e>"), "c@d.e");
}

TEST(SmtpAddress, PlausibleRecipients) {
  for (const char* ok :
       {"ann@example.com", "a.b+tag@sub.example.org", "x@localhost", "j\xC3\xBCrgen@example.de"}) {
    EXPECT_TRUE(is_plausible_address(ok)) << ok;
  }
  for (const char* bad :
       {"", "a@", "@b.c", "ab", "a b@c.d", "a@b.c\r\nRCPT TO:<x@y.z>", "a@@b.c", "a@b@c.d",
        "<a@b.c>", "a@b.c,d@e.f", "a@.b", "a@b.", "a@b..c", "a@b.c\x01", "\xff@b.c"}) {
    EXPECT_FALSE(is_plausible_address(bad)) << bad;
  }
  EXPECT_FALSE(is_plausible_address(std::string(320, 'a') + "@b.c"));
}

}  // namespace
}  // namespace keyward::mail
