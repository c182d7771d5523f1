#include "grants/oauth_error.h"

namespace keyward::grants {

std::string_view wire_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidRequest:
      return "invalid_request";
    case ErrorCode::InvalidClient:
      return "invalid_client";
    case ErrorCode::InvalidGrant:
      return "invalid_grant";
    case ErrorCode::UnauthorizedClient:
      return "unauthorized_client";
    case ErrorCode::UnsupportedGrantType:
      return "unsupported_grant_type";
    case ErrorCode::InvalidScope:
      return "invalid_scope";
    case ErrorCode::AccessDenied:
      return "access_denied";
    case ErrorCode::UnsupportedResponseType:
      return "unsupported_response_type";
    case ErrorCode::InvalidToken:
      return "invalid_token";
    case ErrorCode::InsufficientScope:
      return "insufficient_scope";
    case ErrorCode::InvalidClientMetadata:
      return "invalid_client_metadata";
    case ErrorCode::InvalidRedirectUri:
      return "invalid_redirect_uri";
    case ErrorCode::LoginRequired:
      return "login_required";
    case ErrorCode::ConsentRequired:
      return "consent_required";
    case ErrorCode::InteractionRequired:
      return "interaction_required";
    case ErrorCode::RequestNotSupported:
      return "request_not_supported";
    case ErrorCode::RequestUriNotSupported:
      return "request_uri_not_supported";
    case ErrorCode::RegistrationNotSupported:
      return "registration_not_supported";
    case ErrorCode::ServerError:
      return "server_error";
    case ErrorCode::TemporarilyUnavailable:
      return "temporarily_unavailable";
    case ErrorCode::SlowDown:
      return "slow_down";
  }
  return "server_error";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidClient:
    case ErrorCode::InvalidToken:
      return 401;
    case ErrorCode::InsufficientScope:
    case ErrorCode::AccessDenied:
      return 403;
    case ErrorCode::ServerError:
      return 500;
    case ErrorCode::TemporarilyUnavailable:
      return 503;
    case ErrorCode::SlowDown:
      return 429;
    default:
      return 400;
  }
}

std::string_view OAuthError::wire_name() const {
  return grants::wire_name(code);
}
int OAuthError::http_status() const {
  return grants::http_status(code);
}

#define KEYWARD_ERROR_FACTORY(fn, code_)                               \
  OAuthError OAuthError::fn(std::string d, std::string log) {          \
    return OAuthError{ErrorCode::code_, std::move(d), std::move(log)}; \
  }
KEYWARD_ERROR_FACTORY(invalid_request, InvalidRequest)
KEYWARD_ERROR_FACTORY(invalid_client, InvalidClient)
KEYWARD_ERROR_FACTORY(invalid_grant, InvalidGrant)
KEYWARD_ERROR_FACTORY(unauthorized_client, UnauthorizedClient)
KEYWARD_ERROR_FACTORY(unsupported_grant_type, UnsupportedGrantType)
KEYWARD_ERROR_FACTORY(invalid_scope, InvalidScope)
KEYWARD_ERROR_FACTORY(access_denied, AccessDenied)
KEYWARD_ERROR_FACTORY(invalid_token, InvalidToken)
KEYWARD_ERROR_FACTORY(insufficient_scope, InsufficientScope)
KEYWARD_ERROR_FACTORY(request_not_supported, RequestNotSupported)
KEYWARD_ERROR_FACTORY(request_uri_not_supported, RequestUriNotSupported)
KEYWARD_ERROR_FACTORY(registration_not_supported, RegistrationNotSupported)
KEYWARD_ERROR_FACTORY(unsupported_response_type, UnsupportedResponseType)
KEYWARD_ERROR_FACTORY(login_required, LoginRequired)
KEYWARD_ERROR_FACTORY(consent_required, ConsentRequired)
KEYWARD_ERROR_FACTORY(invalid_client_metadata, InvalidClientMetadata)
KEYWARD_ERROR_FACTORY(invalid_redirect_uri, InvalidRedirectUri)
#undef KEYWARD_ERROR_FACTORY

OAuthError OAuthError::server_error(std::string log) {
  return OAuthError{ErrorCode::ServerError, "internal error", std::move(log)};
}

OAuthError OAuthError::temporarily_unavailable(std::string d, std::chrono::seconds retry_after) {
  OAuthError e{ErrorCode::TemporarilyUnavailable, std::move(d), {}};
  e.retry_after = retry_after;
  return e;
}

}  // namespace keyward::grants
