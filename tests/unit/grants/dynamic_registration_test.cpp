// The RFC 7591 §2 metadata rules (grants/dynamic_registration.h), without HTTP or
// PostgreSQL: defaults, the error code for each refusal, what is kept and what ignored.
#include "grants/dynamic_registration.h"

#include <gtest/gtest.h>

#include <ostream>

namespace keyward::grants {
namespace {

using Policy = RegistrationPolicy;

ClientMetadata accepted(const std::string& body, Policy policy = Policy::InitialAccessToken) {
  auto read = read_client_metadata(body, policy);
  EXPECT_TRUE(read.ok()) << body << ": " << (read.ok() ? "" : read.error().description);
  return read.ok() ? *read : ClientMetadata{};
}

TEST(DynamicRegistration, Rfc7591_2_DefaultsForACodeClient) {
  const auto m = accepted(R"({"client_name":"App","redirect_uris":["https://app.example/cb"]})");
  EXPECT_EQ(m.client.grant_types, std::vector<std::string>{"authorization_code"});
  EXPECT_EQ(m.client.token_endpoint_auth_method, "client_secret_basic");
  EXPECT_TRUE(m.client.confidential);
  EXPECT_EQ(m.client.scopes, std::vector<std::string>{"openid"});
  EXPECT_FALSE(m.client.first_party);
  EXPECT_FALSE(m.client.may_introspect);
  EXPECT_TRUE(m.client.audiences.empty());
}

TEST(DynamicRegistration, KeepsTheMetadataItEchoesAndIgnoresUnknownMembers) {
  const auto m = accepted(R"({"client_name":"App","token_endpoint_auth_method":"none",
      "redirect_uris":["http://127.0.0.1:8080/cb"],"scope":"openid profile",
      "logo_uri":"https://app.example/logo.png","client_uri":"https://app.example",
      "policy_uri":"https://app.example/p","tos_uri":"https://app.example/t",
      "jwks_uri":"https://app.example/jwks","contacts":["ops@app.example","ops@app.example"],
      "software_id":"app","software_version":"1.2","client_name#fr":"Appli","extension":{"x":1},
      "client_id":"mine","client_secret":"s"})");
  EXPECT_FALSE(m.client.confidential);
  EXPECT_EQ(m.metadata.logo_uri, "https://app.example/logo.png");
  EXPECT_EQ(m.metadata.jwks_uri, "https://app.example/jwks");
  EXPECT_EQ(m.metadata.contacts, std::vector<std::string>{"ops@app.example"});
  EXPECT_EQ(m.metadata.software_version, "1.2");
  EXPECT_EQ(m.client_id, "mine");
  EXPECT_EQ(m.client_secret, "s");
}

TEST(DynamicRegistration, ServiceClientWithClientCredentials) {
  const auto m = accepted(R"({"client_name":"Svc","grant_types":["client_credentials"],
      "scope":"orders:read","token_endpoint_auth_method":"client_secret_post"})");
  EXPECT_TRUE(m.client.confidential);
  EXPECT_EQ(m.client.scopes, std::vector<std::string>{"orders:read"});
}

struct Refusal {
  const char* name;
  std::string body;
  ErrorCode code;
  Policy policy = Policy::InitialAccessToken;
};

void PrintTo(const Refusal& r, std::ostream* os) {
  *os << r.name;
}

class Refused : public ::testing::TestWithParam<Refusal> {};

TEST_P(Refused, WithTheRfc7591ErrorCode) {
  const auto& r = GetParam();
  auto read = read_client_metadata(r.body, r.policy);
  ASSERT_FALSE(read.ok()) << r.body;
  EXPECT_EQ(read.error().code, r.code) << read.error().description;
  EXPECT_FALSE(read.error().description.empty());
  EXPECT_EQ(read.error().http_status(), 400);
}

// A body with client_name and `members`.
std::string APP(const std::string& members) {
  return R"({"client_name":"App",)" + members + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7591, Refused,
    ::testing::Values(
        Refusal{"NotJson", "client_name=App", ErrorCode::InvalidClientMetadata},
        Refusal{"NotAnObject", "[1]", ErrorCode::InvalidClientMetadata},
        Refusal{"NoName", R"({"redirect_uris":["https://app.example/cb"]})",
                ErrorCode::InvalidClientMetadata},
        Refusal{"NameNotAString", R"({"client_name":7})", ErrorCode::InvalidClientMetadata},
        Refusal{"GrantTypesNotAList", APP(R"("grant_types":"authorization_code")"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"UnknownGrantType",
                APP(R"("grant_types":["urn:ietf:params:oauth:grant-type:device_code"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"PasswordGrant", APP(R"("grant_types":["password"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"ImplicitResponseType",
                APP(R"("response_types":["token"],"redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"CodeWithoutTheCodeGrant",
                APP(R"("grant_types":["client_credentials"],"response_types":["code"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"CodeGrantWithoutCode",
                APP(R"("response_types":[],"redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"PublicClientCredentials",
                APP(R"("grant_types":["client_credentials"],"token_endpoint_auth_method":"none")"),
                ErrorCode::InvalidClientMetadata},
        Refusal{
            "UnknownAuthMethod",
            APP(R"("token_endpoint_auth_method":"private_key_jwt","redirect_uris":["https://a.example/cb"])"),
            ErrorCode::InvalidClientMetadata},
        Refusal{
            "HttpLogoUri",
            APP(R"("logo_uri":"http://app.example/logo.png","redirect_uris":["https://a.example/cb"])"),
            ErrorCode::InvalidClientMetadata},
        Refusal{
            "JavascriptClientUri",
            APP(R"("client_uri":"javascript:alert`1`","redirect_uris":["https://a.example/cb"])"),
            ErrorCode::InvalidClientMetadata},
        Refusal{"DataPolicyUri",
                APP(R"("policy_uri":"data:text/html,hi","redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{
            "HttpTosUri",
            APP(R"("tos_uri":"http://app.example/tos","redirect_uris":["https://a.example/cb"])"),
            ErrorCode::InvalidClientMetadata},
        Refusal{
            "HttpJwksUri",
            APP(R"("jwks_uri":"http://app.example/jwks","redirect_uris":["https://a.example/cb"])"),
            ErrorCode::InvalidClientMetadata},
        Refusal{"HostlessUri",
                APP(R"("client_uri":"https:///path","redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"InlineJwks", APP(R"("jwks":{"keys":[]},"redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"ContactNotAString",
                APP(R"("contacts":[1],"redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata},
        Refusal{"NoRedirectUri", APP(R"("scope":"openid")"), ErrorCode::InvalidRedirectUri},
        Refusal{"JavascriptRedirect", APP(R"("redirect_uris":["javascript:alert`1`"])"),
                ErrorCode::InvalidRedirectUri},
        Refusal{"DataRedirect", APP(R"("redirect_uris":["data:text/html,x"])"),
                ErrorCode::InvalidRedirectUri},
        Refusal{"FragmentRedirect", APP(R"("redirect_uris":["https://app.example/cb#x"])"),
                ErrorCode::InvalidRedirectUri},
        Refusal{"HttpNonLoopbackRedirect", APP(R"("redirect_uris":["http://app.example/cb"])"),
                ErrorCode::InvalidRedirectUri},
        Refusal{"OpenClientCredentials", APP(R"("grant_types":["client_credentials"])"),
                ErrorCode::InvalidClientMetadata, Policy::Open},
        Refusal{"OpenCustomScope",
                APP(R"("scope":"openid admin","redirect_uris":["https://a.example/cb"])"),
                ErrorCode::InvalidClientMetadata, Policy::Open}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DynamicRegistration, OpenPolicyTakesStandardScopes) {
  const auto m = accepted(
      R"({"client_name":"App","scope":"openid profile email offline_access",
          "grant_types":["authorization_code","refresh_token"],
          "redirect_uris":["https://app.example/cb"]})",
      Policy::Open);
  EXPECT_EQ(m.client.scopes.size(), 4u);
}

TEST(DynamicRegistration, MetadataUriProblem) {
  EXPECT_EQ(metadata_uri_problem("https://app.example/logo.png"), std::nullopt);
  EXPECT_EQ(metadata_uri_problem("HTTPS://app.example"), std::nullopt);
  EXPECT_NE(metadata_uri_problem("https://user@app.example/"), std::nullopt);
  EXPECT_NE(metadata_uri_problem("https://app.example/a b"), std::nullopt);
  EXPECT_NE(metadata_uri_problem("https://:443/"), std::nullopt);
  EXPECT_NE(metadata_uri_problem("ftp://app.example/"), std::nullopt);
  EXPECT_NE(metadata_uri_problem(std::string("https://app.example/") + std::string(3000, 'a')),
            std::nullopt);
}

}  // namespace
}  // namespace keyward::grants
