#include "grants/oauth_error.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

TEST(OAuthError, Rfc6749_5_2_StatusesAndWireNames) {
  EXPECT_EQ(OAuthError::invalid_client("x").http_status(), 401);
  EXPECT_EQ(OAuthError::invalid_client("x").wire_name(), "invalid_client");
  EXPECT_EQ(OAuthError::invalid_grant("x").http_status(), 400);
  EXPECT_EQ(OAuthError::unsupported_grant_type("x").wire_name(), "unsupported_grant_type");
  EXPECT_EQ(OAuthError::invalid_token("x").http_status(), 401);
  EXPECT_EQ(OAuthError::insufficient_scope("x").http_status(), 403);
  EXPECT_EQ(OAuthError::server_error("boom").http_status(), 500);
}

// One factory per error code we send: each names its code on the wire and answers with
// its status, and keeps the description for the client and the detail for the log.
TEST(OAuthError, EveryFactoryMakesItsCode) {
  using Factory = OAuthError (*)(std::string, std::string);
  const struct {
    Factory make;
    ErrorCode code;
    std::string_view wire;
    int status;
  } rows[] = {
      {OAuthError::invalid_request, ErrorCode::InvalidRequest, "invalid_request", 400},
      {OAuthError::invalid_client, ErrorCode::InvalidClient, "invalid_client", 401},
      {OAuthError::invalid_grant, ErrorCode::InvalidGrant, "invalid_grant", 400},
      {OAuthError::unauthorized_client, ErrorCode::UnauthorizedClient, "unauthorized_client", 400},
      {OAuthError::unsupported_grant_type, ErrorCode::UnsupportedGrantType,
       "unsupported_grant_type", 400},
      {OAuthError::invalid_scope, ErrorCode::InvalidScope, "invalid_scope", 400},
      {OAuthError::access_denied, ErrorCode::AccessDenied, "access_denied", 403},
      {OAuthError::invalid_token, ErrorCode::InvalidToken, "invalid_token", 401},
      {OAuthError::insufficient_scope, ErrorCode::InsufficientScope, "insufficient_scope", 403},
      {OAuthError::request_not_supported, ErrorCode::RequestNotSupported, "request_not_supported",
       400},
      {OAuthError::request_uri_not_supported, ErrorCode::RequestUriNotSupported,
       "request_uri_not_supported", 400},
      {OAuthError::registration_not_supported, ErrorCode::RegistrationNotSupported,
       "registration_not_supported", 400},
      {OAuthError::unsupported_response_type, ErrorCode::UnsupportedResponseType,
       "unsupported_response_type", 400},
      {OAuthError::login_required, ErrorCode::LoginRequired, "login_required", 400},
      {OAuthError::consent_required, ErrorCode::ConsentRequired, "consent_required", 400},
      {OAuthError::invalid_client_metadata, ErrorCode::InvalidClientMetadata,
       "invalid_client_metadata", 400},
      {OAuthError::invalid_redirect_uri, ErrorCode::InvalidRedirectUri, "invalid_redirect_uri",
       400},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.wire);
    const OAuthError e = row.make("for the client", "for the log");
    EXPECT_EQ(e.code, row.code);
    EXPECT_EQ(e.wire_name(), row.wire);
    EXPECT_EQ(e.http_status(), row.status);
    EXPECT_EQ(e.description, "for the client");
    EXPECT_EQ(e.log_detail, "for the log");
    EXPECT_FALSE(e.retry_after);
  }
  const auto busy = OAuthError::temporarily_unavailable("busy", std::chrono::seconds(1));
  EXPECT_EQ(busy.wire_name(), "temporarily_unavailable");
  EXPECT_EQ(busy.http_status(), 503);
  EXPECT_EQ(busy.retry_after, std::chrono::seconds(1));
}

TEST(OAuthError, ServerErrorNeverCarriesItsDetailToTheClient) {
  const auto e = OAuthError::server_error("pqxx: connection refused at 10.0.0.1");
  EXPECT_EQ(e.description, "internal error");
  EXPECT_EQ(e.log_detail, "pqxx: connection refused at 10.0.0.1");
}

}  // namespace
}  // namespace keyward::grants
