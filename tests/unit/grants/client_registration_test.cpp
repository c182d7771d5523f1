// What `keyward client create` may register: every refusal names its reason.
#include "grants/client_registration.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

ClientRegistration service() {
  ClientRegistration r;
  r.name = "Billing";
  r.grant_types = {"client_credentials"};
  r.scope = "read write";
  return r;
}

ClientRegistration web_app() {
  ClientRegistration r;
  r.name = "Web app";
  r.grant_types = {"authorization_code", "refresh_token"};
  r.scope = "openid profile";
  r.redirect_uris = {"https://app.example.com/cb"};
  return r;
}

TEST(ClientRegistration, ConfidentialServiceDefaultsToClientSecretBasic) {
  auto c = validate_client_registration(service());
  ASSERT_TRUE(c.ok()) << c.error().description;
  EXPECT_TRUE(c->id.empty());
  EXPECT_EQ(c->name, "Billing");
  EXPECT_TRUE(c->confidential);
  EXPECT_FALSE(c->first_party);
  EXPECT_EQ(c->token_endpoint_auth_method, "client_secret_basic");
  EXPECT_EQ(c->grant_types, std::vector<std::string>{"client_credentials"});
  EXPECT_EQ(c->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_TRUE(c->allows_grant("client_credentials"));
  EXPECT_FALSE(c->allows_grant("password"));
}

// RFC 7662 §2.1: the introspection endpoint authenticates its caller.
TEST(ClientRegistration, OnlyAConfidentialClientMayIntrospect) {
  auto r = service();
  EXPECT_FALSE(validate_client_registration(r)->may_introspect);
  r.may_introspect = true;
  auto c = validate_client_registration(r);
  ASSERT_TRUE(c.ok()) << c.error().description;
  EXPECT_TRUE(c->may_introspect);
  auto app = web_app();
  app.public_client = true;
  app.may_introspect = true;
  auto refused = validate_client_registration(app);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidClientMetadata);
  EXPECT_EQ(refused.error().description,
            "a public client cannot introspect: the introspection endpoint needs a client secret");
}

TEST(ClientRegistration, PublicAppDefaultsToNoneAndKeepsEverything) {
  auto r = web_app();
  r.public_client = true;
  r.first_party = true;
  r.redirect_uris = {"https://app.example.com/cb", "http://127.0.0.1:8080/cb",
                     "com.example.app:/cb", "https://app.example.com/cb"};
  r.post_logout_redirect_uris = {"https://app.example.com/bye"};
  r.audiences = {"https://api.example.com", "https://api.example.com", "orders"};
  auto c = validate_client_registration(r);
  ASSERT_TRUE(c.ok()) << c.error().description;
  EXPECT_FALSE(c->confidential);
  EXPECT_TRUE(c->first_party);
  EXPECT_EQ(c->token_endpoint_auth_method, "none");
  // Duplicates dropped, order kept.
  EXPECT_EQ(c->redirect_uris,
            (std::vector<std::string>{"https://app.example.com/cb", "http://127.0.0.1:8080/cb",
                                      "com.example.app:/cb"}));
  EXPECT_EQ(c->post_logout_redirect_uris, std::vector<std::string>{"https://app.example.com/bye"});
  EXPECT_EQ(c->audiences, (std::vector<std::string>{"https://api.example.com", "orders"}));
}

TEST(ClientRegistration, ClientSecretPostAndEmptyScopeAccepted) {
  auto r = service();
  r.token_endpoint_auth_method = "client_secret_post";
  r.scope = "";
  auto c = validate_client_registration(r);
  ASSERT_TRUE(c.ok()) << c.error().description;
  EXPECT_EQ(c->token_endpoint_auth_method, "client_secret_post");
  EXPECT_TRUE(c->scopes.empty());
}

// RFC 9700 §2.4: registration lets a confidential client have the password grant (the
// token endpoint then also wants KEYWARD_PASSWORD_GRANT and the first-party mark).
TEST(ClientRegistration, ConfidentialClientMayRegisterForThePasswordGrant) {
  auto r = service();
  r.grant_types = {"password", "refresh_token"};
  r.first_party = true;
  auto c = validate_client_registration(r);
  ASSERT_TRUE(c.ok()) << c.error().description;
  EXPECT_TRUE(c->allows_grant("password"));
  EXPECT_TRUE(c->first_party);
}

struct Refusal {
  const char* rule;
  ClientRegistration registration;
  ErrorCode code;
  const char* description;
};

ClientRegistration with(ClientRegistration r, void (*change)(ClientRegistration&)) {
  change(r);
  return r;
}

TEST(ClientRegistration, RefusalsSayWhy) {
  const Refusal rows[] = {
      {"name required", with(service(), [](auto& r) { r.name = ""; }),
       ErrorCode::InvalidClientMetadata, "the client needs a name"},
      {"name length", with(service(), [](auto& r) { r.name = std::string(201, 'n'); }),
       ErrorCode::InvalidClientMetadata, "the name is longer than 200 characters"},
      {"name control", with(service(), [](auto& r) { r.name = "a\nb"; }),
       ErrorCode::InvalidClientMetadata, "the name contains control characters"},
      {"no grant types", with(service(), [](auto& r) { r.grant_types = {}; }),
       ErrorCode::InvalidClientMetadata,
       "the client needs at least one grant type (authorization_code, refresh_token, "
       "client_credentials, password)"},
      {"unknown grant type", with(service(), [](auto& r) { r.grant_types = {"implicit"}; }),
       ErrorCode::InvalidClientMetadata,
       "unknown grant type 'implicit' (known: authorization_code, refresh_token, "
       "client_credentials, password)"},
      {"refresh_token alone",
       with(service(),
            [](auto& r) {
              r.grant_types = {"client_credentials", "refresh_token"};
            }),
       ErrorCode::InvalidClientMetadata,
       "refresh_token needs authorization_code or password: only those grants issue refresh "
       "tokens"},
      {"RFC 6749 §4.4 public client_credentials",
       with(service(), [](auto& r) { r.public_client = true; }), ErrorCode::InvalidClientMetadata,
       "a public client cannot use client_credentials (RFC 6749 §4.4): it has no secret to "
       "authenticate with"},
      {"RFC 9700 §2.4 public password",
       with(service(),
            [](auto& r) {
              r.public_client = true;
              r.first_party = true;
              r.grant_types = {"password", "refresh_token"};
            }),
       ErrorCode::InvalidClientMetadata,
       "a public client cannot use the password grant (RFC 9700 §2.4): it is only for "
       "confidential first-party clients; use authorization_code with PKCE"},
      {"unknown auth method",
       with(service(), [](auto& r) { r.token_endpoint_auth_method = "private_key_jwt"; }),
       ErrorCode::InvalidClientMetadata,
       "unknown token_endpoint_auth_method 'private_key_jwt' (known: client_secret_basic, "
       "client_secret_post, none)"},
      {"none for confidential",
       with(service(), [](auto& r) { r.token_endpoint_auth_method = "none"; }),
       ErrorCode::InvalidClientMetadata,
       "token_endpoint_auth_method none is for public clients: register the client as public, "
       "or use client_secret_basic or client_secret_post"},
      {"secret method for public",
       with(web_app(),
            [](auto& r) {
              r.public_client = true;
              r.token_endpoint_auth_method = "client_secret_basic";
            }),
       ErrorCode::InvalidClientMetadata,
       "a public client has no secret, so its token_endpoint_auth_method must be none, not "
       "client_secret_basic"},
      {"scope syntax", with(service(), [](auto& r) { r.scope = "read  write"; }),
       ErrorCode::InvalidClientMetadata,
       "the scope must be space-separated tokens of printable ASCII without '\"' or '\\', "
       "separated by single spaces (RFC 6749 §3.3)"},
      {"scope character", with(service(), [](auto& r) { r.scope = "read \"x\""; }),
       ErrorCode::InvalidClientMetadata,
       "the scope must be space-separated tokens of printable ASCII without '\"' or '\\', "
       "separated by single spaces (RFC 6749 §3.3)"},
      {"code needs redirect", with(web_app(), [](auto& r) { r.redirect_uris = {}; }),
       ErrorCode::InvalidRedirectUri,
       "authorization_code needs at least one redirect URI: the authorization server redirects "
       "only to registered URIs (RFC 6749 §3.1.2.2)"},
      {"redirect without code",
       with(service(), [](auto& r) { r.redirect_uris = {"https://app.example.com/cb"}; }),
       ErrorCode::InvalidRedirectUri,
       "redirect URIs are only used by the authorization_code grant"},
      {"post-logout without code",
       with(service(),
            [](auto& r) { r.post_logout_redirect_uris = {"https://app.example.com/bye"}; }),
       ErrorCode::InvalidRedirectUri,
       "post-logout redirect URIs are only used by clients that sign users in "
       "(authorization_code)"},
      {"relative", with(web_app(), [](auto& r) { r.redirect_uris = {"/cb"}; }),
       ErrorCode::InvalidRedirectUri, "redirect URI must be absolute: '/cb'"},
      {"fragment",
       with(web_app(), [](auto& r) { r.redirect_uris = {"https://app.example.com/cb#x"}; }),
       ErrorCode::InvalidRedirectUri,
       "redirect URI must not contain a fragment: 'https://app.example.com/cb#x'"},
      {"userinfo",
       with(web_app(), [](auto& r) { r.redirect_uris = {"https://u:p@app.example.com/cb"}; }),
       ErrorCode::InvalidRedirectUri,
       "redirect URI must not contain userinfo: 'https://u:p@app.example.com/cb'"},
      {"javascript", with(web_app(), [](auto& r) { r.redirect_uris = {"javascript:alert(1)"}; }),
       ErrorCode::InvalidRedirectUri,
       "redirect URI scheme javascript: is not allowed: 'javascript:alert(1)'"},
      {"data", with(web_app(), [](auto& r) { r.redirect_uris = {"data:text/html,x"}; }),
       ErrorCode::InvalidRedirectUri,
       "redirect URI scheme data: is not allowed: 'data:text/html,x'"},
      {"plain http",
       with(web_app(), [](auto& r) { r.redirect_uris = {"http://app.example.com/cb"}; }),
       ErrorCode::InvalidRedirectUri,
       "redirect URI must use https (plain http only for localhost, 127.0.0.1 or [::1]): "
       "'http://app.example.com/cb'"},
      {"post-logout checked too",
       with(web_app(),
            [](auto& r) { r.post_logout_redirect_uris = {"https://app.example.com/bye#x"}; }),
       ErrorCode::InvalidRedirectUri,
       "post-logout redirect URI must not contain a fragment: 'https://app.example.com/bye#x'"},
      {"empty audience", with(service(), [](auto& r) { r.audiences = {""}; }),
       ErrorCode::InvalidClientMetadata, "an audience cannot be empty"},
      {"audience with space", with(service(), [](auto& r) { r.audiences = {"a b"}; }),
       ErrorCode::InvalidClientMetadata, "audience 'a b' contains spaces or control characters"},
  };
  for (const auto& row : rows) {
    auto c = validate_client_registration(row.registration);
    ASSERT_FALSE(c.ok()) << row.rule;
    EXPECT_EQ(c.error().code, row.code) << row.rule;
    EXPECT_EQ(c.error().description, row.description) << row.rule;
  }
}

}  // namespace
}  // namespace keyward::grants
