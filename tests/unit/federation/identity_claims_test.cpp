// Who signed in, from the ID token's claims and userinfo: only usable values are kept, and
// email_verified counts only as the boolean true.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "federation/identity_claims.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

TEST(IdentityClaims, ReadsTheStandardClaims) {
  const auto id = federation::identity_from_claims("google", {{"sub", "1101"},
                                                              {"email", "alice@example.com"},
                                                              {"email_verified", true},
                                                              {"given_name", "Alice"},
                                                              {"family_name", "Liddell"},
                                                              {"preferred_username", "alice"}});
  EXPECT_EQ(id.provider, "google");
  EXPECT_EQ(id.subject, "1101");
  EXPECT_EQ(id.email, "alice@example.com");
  EXPECT_TRUE(id.email_verified);
  EXPECT_EQ(id.given_name, "Alice");
  EXPECT_EQ(id.family_name, "Liddell");
  EXPECT_EQ(id.preferred_username, "alice");
}

TEST(IdentityClaims, EmailVerifiedIsOnlyTheBooleanTrue) {
  for (const json& v : {json("true"), json(1), json(false), json(nullptr)}) {
    const auto id = federation::identity_from_claims(
        "x", {{"sub", "1"}, {"email", "a@example.com"}, {"email_verified", v}});
    EXPECT_FALSE(id.email_verified) << v.dump();
  }
  // Verified, but about no address: nothing is verified.
  EXPECT_FALSE(federation::identity_from_claims("x", {{"sub", "1"}, {"email_verified", true}})
                   .email_verified);
}

TEST(IdentityClaims, UnusableValuesAreTreatedAsAbsent) {
  const auto id = federation::identity_from_claims("x", {{"sub", "1"},
                                                         {"email", std::string(321, 'a')},
                                                         {"email_verified", true},
                                                         {"given_name", "Al\nice"},
                                                         {"family_name", 7},
                                                         {"preferred_username", ""}});
  EXPECT_FALSE(id.email);
  EXPECT_FALSE(id.email_verified);
  EXPECT_FALSE(id.given_name);
  EXPECT_FALSE(id.family_name);
  EXPECT_FALSE(id.preferred_username);
}

TEST(IdentityClaims, UserinfoFillsOnlyWhatIsMissing) {
  auto id = federation::identity_from_claims("x", {{"sub", "1"}, {"given_name", "Alice"}});
  federation::complete_identity(id, {{"sub", "1"},
                                     {"email", "alice@example.com"},
                                     {"email_verified", true},
                                     {"given_name", "Mallory"},
                                     {"family_name", "Liddell"}});
  EXPECT_EQ(id.email, "alice@example.com");
  EXPECT_TRUE(id.email_verified);
  EXPECT_EQ(id.given_name, "Alice");
  EXPECT_EQ(id.family_name, "Liddell");
}

}  // namespace
}  // namespace keyward::test
