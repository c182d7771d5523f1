// Discovery documents of upstream providers: what a real one (Google's shape) yields, and
// each rule that makes one unusable, one change at a time from a good document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "federation/upstream_metadata.h"

namespace keyward::test {
namespace {

using federation::ClientAuthMethod;
using json = nlohmann::json;

const std::string kGoogle = "https://accounts.google.com";

json google() {
  return {{"issuer", kGoogle},
          {"authorization_endpoint", "https://accounts.google.com/o/oauth2/v2/auth"},
          {"token_endpoint", "https://oauth2.googleapis.com/token"},
          {"userinfo_endpoint", "https://openidconnect.googleapis.com/v1/userinfo"},
          {"jwks_uri", "https://www.googleapis.com/oauth2/v3/certs"},
          {"response_types_supported", {"code", "token", "id_token", "code token"}},
          {"subject_types_supported", {"public"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"token_endpoint_auth_methods_supported", {"client_secret_post", "client_secret_basic"}},
          {"code_challenge_methods_supported", {"plain", "S256"}}};
}

Result<federation::UpstreamMetadata, std::string> parse(const json& doc,
                                                        const std::string& issuer = kGoogle) {
  return federation::parse_upstream_metadata(doc.dump(), issuer);
}

void expect_unusable(const json& doc, const std::string& mentions,
                     const std::string& issuer = kGoogle) {
  auto r = parse(doc, issuer);
  ASSERT_FALSE(r.ok()) << doc.dump();
  EXPECT_NE(r.error().find(mentions), std::string::npos) << r.error();
}

TEST(UpstreamMetadata, GooglesDocumentIsUsable) {
  auto r = parse(google());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->issuer, kGoogle);
  EXPECT_EQ(r->authorization_endpoint, "https://accounts.google.com/o/oauth2/v2/auth");
  EXPECT_EQ(r->token_endpoint, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(r->jwks_uri, "https://www.googleapis.com/oauth2/v3/certs");
  EXPECT_EQ(r->userinfo_endpoint, "https://openidconnect.googleapis.com/v1/userinfo");
  EXPECT_EQ(r->client_auth, ClientAuthMethod::ClientSecretBasic);
  EXPECT_FALSE(r->iss_parameter_supported);
  EXPECT_EQ(r->id_token_signing_algs, std::vector<std::string>{"RS256"});
}

TEST(UpstreamMetadata, OptionalMembersHaveTheirDefaults) {
  json doc = google();
  for (const char* optional :
       {"userinfo_endpoint", "id_token_signing_alg_values_supported",
        "token_endpoint_auth_methods_supported", "code_challenge_methods_supported"}) {
    doc.erase(optional);
  }
  auto r = parse(doc);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE(r->userinfo_endpoint);
  EXPECT_EQ(r->client_auth, ClientAuthMethod::ClientSecretBasic);  // RFC 8414 §2's default
  doc["authorization_response_iss_parameter_supported"] = true;
  ASSERT_TRUE(parse(doc).ok());
  EXPECT_TRUE(parse(doc)->iss_parameter_supported);
}

TEST(UpstreamMetadata, TheIssuerMustBeNamedExactly) {
  expect_unusable(google(), "names the issuer", kGoogle + "/");
  json doc = google();
  doc["issuer"] = "https://evil.example.com";
  expect_unusable(doc, "names the issuer");
  doc.erase("issuer");
  expect_unusable(doc, "names the issuer");
  doc["issuer"] = 5;
  expect_unusable(doc, "issuer is not a string");
}

TEST(UpstreamMetadata, TheCodeFlowEndpointsAreRequired) {
  for (const char* required : {"authorization_endpoint", "token_endpoint", "jwks_uri"}) {
    json doc = google();
    doc.erase(required);
    expect_unusable(doc, std::string(required) + " is missing");
    doc[required] = json::array();
    expect_unusable(doc, std::string(required) + " is not a string");
  }
}

TEST(UpstreamMetadata, EndpointsMustBeHttpsForAnHttpsIssuer) {
  for (const char* endpoint :
       {"authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"}) {
    json doc = google();
    doc[endpoint] = "http://oauth2.googleapis.com/x";
    expect_unusable(doc, std::string(endpoint) + " must use https");
    doc[endpoint] = "http://127.0.0.1:9000/x";  // loopback, but the issuer is not
    expect_unusable(doc, std::string(endpoint) + " must use https");
    doc[endpoint] = "https://user:pw@oauth2.googleapis.com/x";
    expect_unusable(doc, std::string(endpoint) + " must not contain userinfo");
    doc[endpoint] = "ftp://oauth2.googleapis.com/x";
    expect_unusable(doc, std::string(endpoint) + " is not an absolute http(s) URL");
  }
}

TEST(UpstreamMetadata, ALoopbackHttpIssuerMayUseLoopbackHttpEndpoints) {
  const std::string issuer = "http://127.0.0.1:8411";
  json doc = google();
  doc["issuer"] = issuer;
  doc["authorization_endpoint"] = issuer + "/authorize";
  doc["token_endpoint"] = issuer + "/token";
  doc["jwks_uri"] = "http://localhost:8411/jwks";
  doc["userinfo_endpoint"] = "http://[::1]:8411/userinfo";
  EXPECT_TRUE(parse(doc, issuer).ok()) << parse(doc, issuer).error();
  doc["token_endpoint"] = "http://token.example.com/token";
  expect_unusable(doc, "token_endpoint must use https", issuer);
}

TEST(UpstreamMetadata, TheCodeResponseTypeIsRequired) {
  json doc = google();
  doc["response_types_supported"] = {"id_token", "token id_token"};
  expect_unusable(doc, "response_types_supported does not list \"code\"");
  doc.erase("response_types_supported");
  expect_unusable(doc, "response_types_supported does not list \"code\"");
}

TEST(UpstreamMetadata, PkceMethodsWhenListedMustIncludeS256) {
  json doc = google();
  doc["code_challenge_methods_supported"] = {"plain"};
  expect_unusable(doc, "code_challenge_methods_supported does not list S256");
}

TEST(UpstreamMetadata, ClientAuthenticationIsBasicOrPost) {
  json doc = google();
  doc["token_endpoint_auth_methods_supported"] = {"client_secret_post"};
  ASSERT_TRUE(parse(doc).ok());
  EXPECT_EQ(parse(doc)->client_auth, ClientAuthMethod::ClientSecretPost);
  doc["token_endpoint_auth_methods_supported"] = {"private_key_jwt", "tls_client_auth"};
  expect_unusable(doc, "lists neither client_secret_basic nor client_secret_post");
}

TEST(UpstreamMetadata, IdTokensMustBeSignedWithAnAlgorithmWeVerify) {
  json doc = google();
  doc["id_token_signing_alg_values_supported"] = {"HS256", "none"};
  expect_unusable(doc, "lists none of RS256, ES256, EdDSA");
  doc["id_token_signing_alg_values_supported"] = {"PS256", "ES256"};
  EXPECT_TRUE(parse(doc).ok());
}

TEST(UpstreamMetadata, MalformedDocumentsAreRefused) {
  EXPECT_FALSE(federation::parse_upstream_metadata("not json", kGoogle).ok());
  EXPECT_FALSE(federation::parse_upstream_metadata("[1,2]", kGoogle).ok());
  json doc = google();
  doc["authorization_response_iss_parameter_supported"] = "yes";
  expect_unusable(doc, "authorization_response_iss_parameter_supported is not a boolean");
  doc = google();
  doc["response_types_supported"] = {"code", 7};
  expect_unusable(doc, "response_types_supported is not an array of strings");
}

TEST(UpstreamMetadata, DiscoveryUrlFollowsOidcDiscovery4) {
  EXPECT_EQ(federation::discovery_url(kGoogle),
            "https://accounts.google.com/.well-known/openid-configuration");
  EXPECT_EQ(federation::discovery_url("https://tenant.example.com/"),
            "https://tenant.example.com/.well-known/openid-configuration");
  EXPECT_EQ(federation::discovery_url("https://example.com/realms/x"),
            "https://example.com/realms/x/.well-known/openid-configuration");
}

}  // namespace
}  // namespace keyward::test
