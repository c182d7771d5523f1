// What `keyward idp add` accepts: provider names, issuers, scopes, button labels, and the
// redirect URI it tells the operator to register.
#include <gtest/gtest.h>

#include "federation/provider_rules.h"
#include "federation/upstream_url.h"

namespace keyward::test {
namespace {

TEST(ProviderRules, NamesArePlain) {
  for (const char* good : {"google", "a", "0", "my-idp-2", "abcdefghijklmnopqrstuvwxyz012345"}) {
    EXPECT_TRUE(federation::is_valid_provider_name(good)) << good;
  }
  for (const char* bad : {"", "-google", "Google", "goo gle", "goo_gle", "göögle", "a/b",
                          "abcdefghijklmnopqrstuvwxyz0123456"}) {
    EXPECT_FALSE(federation::is_valid_provider_name(bad)) << bad;
  }
}

TEST(ProviderRules, IssuersAreHttpsOrLoopbackHttp) {
  for (const char* good : {"https://accounts.google.com", "https://tenant.example.com/",
                           "https://example.com/realms/staff", "http://127.0.0.1:8411",
                           "http://localhost:9000/idp", "http://[::1]:9000"}) {
    EXPECT_EQ(federation::issuer_problem(good), std::nullopt) << good;
  }
  for (const char* bad : {"http://accounts.google.com", "accounts.google.com", "ftp://x.example",
                          "https://", "https://u:p@accounts.google.com",
                          "https://accounts.google.com?x=1", "https://accounts.google.com#f",
                          "https://accounts google.com", "http://127.0.0.1.evil.example"}) {
    EXPECT_NE(federation::issuer_problem(bad), std::nullopt) << bad;
  }
  EXPECT_NE(federation::issuer_problem("https://x.example/" + std::string(2000, 'a')),
            std::nullopt);
}

TEST(ProviderRules, LoopbackHttpIsRecognisedByHostNotPrefix) {
  EXPECT_TRUE(federation::is_loopback_http("http://127.0.0.1:80/x"));
  EXPECT_TRUE(federation::is_loopback_http("http://LOCALHOST/x"));
  EXPECT_FALSE(federation::is_loopback_http("https://127.0.0.1/x"));
  EXPECT_FALSE(federation::is_loopback_http("http://127.0.0.1@evil.example/x"));
  EXPECT_FALSE(federation::is_loopback_http("http://localhost.evil.example/x"));
}

TEST(ProviderRules, ScopesMustIncludeOpenid) {
  auto scopes = federation::parse_provider_scopes("openid  email profile email");
  ASSERT_TRUE(scopes.ok()) << scopes.error();
  EXPECT_EQ(*scopes, (std::vector<std::string>{"openid", "email", "profile"}));
  auto missing = federation::parse_provider_scopes("email profile");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("must include openid"), std::string::npos);
  EXPECT_FALSE(federation::parse_provider_scopes("").ok());
  EXPECT_FALSE(federation::parse_provider_scopes("openid e\"mail").ok());
  EXPECT_FALSE(federation::parse_provider_scopes("openid\temail").ok());
}

TEST(ProviderRules, ButtonLabels) {
  EXPECT_EQ(federation::default_button_label("google"), "Google");
  EXPECT_EQ(federation::default_button_label("2fa-idp"), "2fa-idp");
  EXPECT_EQ(federation::button_label_problem("Google Workspace"), std::nullopt);
  EXPECT_EQ(federation::button_label_problem(std::string(32, 'x') + "ü"), std::nullopt);
  EXPECT_NE(federation::button_label_problem(""), std::nullopt);
  EXPECT_NE(federation::button_label_problem(std::string(65, 'x')), std::nullopt);
  EXPECT_NE(federation::button_label_problem("Goo\ngle"), std::nullopt);
  EXPECT_NE(federation::button_label_problem("\xff"), std::nullopt);
}

TEST(ProviderRules, TheRedirectUriIsTheIssuersCallback) {
  EXPECT_EQ(federation::callback_redirect_uri("https://id.example.com"),
            "https://id.example.com/federation/callback");
  EXPECT_EQ(federation::callback_redirect_uri("https://example.com/id/"),
            "https://example.com/id/federation/callback");
}

}  // namespace
}  // namespace keyward::test
