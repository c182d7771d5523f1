// Reading client authentication from a request (RFC 6749 §2.3.1): Basic with the
// form-urlencoding of id and secret, client_secret_post, client_id alone, and one method
// per request.
#include "server/endpoints/client_auth_input.h"

#include <gtest/gtest.h>

#include "tests/support/encoding.h"

namespace keyward::server {
namespace {

using grants::ClientAuthInput;
using grants::ErrorCode;

using test::base64;

http::HttpRequest with_authorization(std::string value) {
  http::HttpRequest request;
  request.method = http::Method::Post;
  request.headers.add("Authorization", std::move(value));
  return request;
}

http::FormParams form(std::string_view body) {
  auto parsed = http::parse_form_urlencoded(body);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? parsed.value() : http::FormParams{};
}

TEST(ClientAuthInput, Rfc6749_2_3_1_BasicIsFormDecodedAfterBase64) {
  const std::pair<std::string, std::pair<std::string, std::string>> rows[] = {
      {"svc:s3cret", {"svc", "s3cret"}},
      // A colon in the id travels as %3A; the secret may hold colons as they are.
      {"client%3Aid:a:b", {"client:id", "a:b"}},
      // '+' means a space, "%2B" a '+'.
      {"my+app:p%2Bq+r", {"my app", "p+q r"}},
      {"svc:%25%26%3D", {"svc", "%&="}},
      {"svc:", {"svc", ""}},
      {"%C3%A9t%C3%A9:x", {"\xC3\xA9t\xC3\xA9", "x"}},
  };
  for (const auto& [raw, expected] : rows) {
    for (const char* scheme : {"Basic ", "basic ", "BASIC  "}) {
      auto input = client_auth_input(with_authorization(scheme + base64(raw)), {});
      ASSERT_TRUE(input.ok()) << raw << ": " << input.error().description;
      EXPECT_EQ(input->method, ClientAuthInput::Method::Basic);
      EXPECT_EQ(input->client_id, expected.first) << raw;
      EXPECT_EQ(input->secret, expected.second) << raw;
    }
  }
}

TEST(ClientAuthInput, MalformedBasicIsInvalidClientWithBasicUsed) {
  const std::string rows[] = {
      "Basic",                           // no credentials
      "Basic ",                          // empty credentials
      "Basic !!!!",                      // not base64
      "Basic " + base64("svc:x") + "=",  // bad length
      "Basic c3Zj",                      // "svc": no colon
      "Basic " + base64(":secret"),      // empty id
      "Basic " + base64("svc:%zz"),      // not form-urlencoded
      "Basic " + base64("%4:x"),         // truncated escape in the id
      "Bearer abc.def.ghi",              // another scheme
      "",                                // empty header
  };
  for (const auto& header : rows) {
    auto input = client_auth_input(with_authorization(header), {});
    ASSERT_FALSE(input.ok()) << header;
    EXPECT_EQ(input.error().code, ErrorCode::InvalidClient) << header;
    EXPECT_EQ(input.error().description, "malformed HTTP Basic credentials") << header;
    EXPECT_TRUE(input.error().basic_auth_used) << header;
  }
}

TEST(ClientAuthInput, ClientSecretPost) {
  auto input = client_auth_input({}, form("grant_type=client_credentials&client_id=svc%3A1"
                                          "&client_secret=a%2Bb+c"));
  ASSERT_TRUE(input.ok()) << input.error().description;
  EXPECT_EQ(input->method, ClientAuthInput::Method::Post);
  EXPECT_EQ(input->client_id, "svc:1");
  EXPECT_EQ(input->secret, "a+b c");
}

TEST(ClientAuthInput, ClientIdAloneIsAPublicClient) {
  auto input = client_auth_input({}, form("grant_type=password&client_id=app"));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->method, ClientAuthInput::Method::None);
  EXPECT_EQ(input->client_id, "app");
  EXPECT_FALSE(input->secret.has_value());
}

TEST(ClientAuthInput, Rfc6749_2_3_BothMethodsAtOnceIsInvalidRequest) {
  auto input = client_auth_input(with_authorization("Basic " + base64("svc:s")),
                                 form("client_id=svc&client_secret=s"));
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(input.error().description,
            "the client authenticated twice (HTTP Basic and client_secret): use one method");
  EXPECT_FALSE(input.error().basic_auth_used);
}

TEST(ClientAuthInput, BasicWithTheSameClientIdInTheBodyIsAccepted) {
  auto same =
      client_auth_input(with_authorization("Basic " + base64("svc:s")), form("client_id=svc"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->method, ClientAuthInput::Method::Basic);

  auto other =
      client_auth_input(with_authorization("Basic " + base64("svc:s")), form("client_id=other"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(other.error().description,
            "client_id in the body differs from the one in the Authorization header");
}

TEST(ClientAuthInput, Rfc6749_3_2_RepeatedParametersAreInvalidRequest) {
  auto ids = client_auth_input({}, form("client_id=a&client_id=a"));
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(ids.error().description, "client_id is repeated");

  auto secrets = client_auth_input({}, form("client_id=a&client_secret=x&client_secret=y"));
  ASSERT_FALSE(secrets.ok());
  EXPECT_EQ(secrets.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(secrets.error().description, "client_secret is repeated");

  http::HttpRequest two = with_authorization("Basic " + base64("a:b"));
  two.headers.add("Authorization", "Basic " + base64("a:b"));
  auto headers = client_auth_input(two, {});
  ASSERT_FALSE(headers.ok());
  EXPECT_EQ(headers.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(headers.error().description, "more than one Authorization header");
}

TEST(ClientAuthInput, SecretWithoutIdAndNothingAtAll) {
  auto secret_only = client_auth_input({}, form("client_secret=x"));
  ASSERT_FALSE(secret_only.ok());
  EXPECT_EQ(secret_only.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(secret_only.error().description, "client_secret without client_id");

  auto nothing = client_auth_input({}, form("grant_type=client_credentials"));
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code, ErrorCode::InvalidClient);
  EXPECT_EQ(nothing.error().http_status(), 401);
  EXPECT_EQ(nothing.error().description,
            "no client authentication: use HTTP Basic, or client_id (and client_secret) in the "
            "body");
  EXPECT_FALSE(nothing.error().basic_auth_used);
}

}  // namespace
}  // namespace keyward::server
