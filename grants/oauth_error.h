#pragma once
// OAuthError: every expected failure of an OAuth/OIDC operation, carrying the
// RFC 6749 §5.2 / RFC 6750 §3 / OIDC Core §3.1.2.6 / RFC 7591 §3.2.2 error code.
// The client sees `description`; `log_detail` goes to the log only.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace keyward::grants {

enum class ErrorCode {
  InvalidRequest,
  InvalidClient,
  InvalidGrant,
  UnauthorizedClient,
  UnsupportedGrantType,
  InvalidScope,
  AccessDenied,
  UnsupportedResponseType,
  InvalidToken,
  InsufficientScope,
  InvalidClientMetadata,
  InvalidRedirectUri,
  LoginRequired,
  ConsentRequired,
  InteractionRequired,
  RequestNotSupported,       // OIDC Core §3.1.2.6: the `request` parameter
  RequestUriNotSupported,    // the `request_uri` parameter
  RegistrationNotSupported,  // the `registration` parameter
  ServerError,
  TemporarilyUnavailable,
  SlowDown,
};

struct OAuthError {
  ErrorCode code;
  std::string description;
  std::string log_detail;  // never sent to the client
  // Set when the client authenticated with HTTP Basic: invalid_client then carries
  // WWW-Authenticate: Basic (RFC 6749 §5.2).
  bool basic_auth_used = false;
  // For throttled requests: when to try again (Retry-After).
  std::optional<std::chrono::seconds> retry_after;

  [[nodiscard]] std::string_view wire_name() const;
  [[nodiscard]] int http_status() const;

  static OAuthError invalid_request(std::string d, std::string log = {});
  static OAuthError invalid_client(std::string d, std::string log = {});
  static OAuthError invalid_grant(std::string d, std::string log = {});
  static OAuthError unauthorized_client(std::string d, std::string log = {});
  static OAuthError unsupported_grant_type(std::string d, std::string log = {});
  static OAuthError invalid_scope(std::string d, std::string log = {});
  static OAuthError access_denied(std::string d, std::string log = {});
  static OAuthError invalid_token(std::string d, std::string log = {});
  static OAuthError insufficient_scope(std::string d, std::string log = {});
  static OAuthError request_not_supported(std::string d, std::string log = {});
  static OAuthError request_uri_not_supported(std::string d, std::string log = {});
  static OAuthError registration_not_supported(std::string d, std::string log = {});
  static OAuthError unsupported_response_type(std::string d, std::string log = {});
  static OAuthError login_required(std::string d, std::string log = {});
  static OAuthError consent_required(std::string d, std::string log = {});
  static OAuthError invalid_client_metadata(std::string d, std::string log = {});  // RFC 7591
  static OAuthError invalid_redirect_uri(std::string d, std::string log = {});     // RFC 7591
  static OAuthError server_error(std::string log);
  static OAuthError temporarily_unavailable(std::string d, std::chrono::seconds retry_after);
};

[[nodiscard]] std::string_view wire_name(ErrorCode code);
[[nodiscard]] int http_status(ErrorCode code);

template <class T>
using OAuthResult = Result<T, OAuthError>;

}  // namespace keyward::grants
