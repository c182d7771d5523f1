#pragma once
// The one writer of OAuth JSON errors (STYLE.md §7.3) for the token, introspection and
// revocation endpoints: the RFC 6749 §5.2 body {"error", "error_description"}, with
// Cache-Control: no-store and Pragma: no-cache (§5.1), WWW-Authenticate: Basic on
// invalid_client when the client used HTTP Basic (§5.2: 401 and the header naming the
// scheme it used), and Retry-After when the error carries one (throttled sign-in, no key
// yet, the database away). A 5xx never describes its cause: the client gets the request
// id and the log gets log_detail.
#include <string_view>

#include "common/log.h"
#include "grants/oauth_error.h"
#include "http/request.h"
#include "http/response.h"

namespace keyward::server {

inline constexpr std::string_view kBasicChallenge = "Basic realm=\"keyward\"";

// The response alone, for tests and callers that log themselves.
[[nodiscard]] http::HttpResponse oauth_error_response(const grants::OAuthError& error,
                                                      std::string_view request_id);

// Logs `error` when it is a 5xx or carries log_detail (error level for 5xx, info
// otherwise), with the request id and path; the browser pages log through this too.
void log_oauth_error(const grants::OAuthError& error, const http::HttpRequest& request,
                     Logger& logger, std::string_view message = "oauth error");

// The response, and log_oauth_error's line.
[[nodiscard]] http::HttpResponse write_oauth_error(const grants::OAuthError& error,
                                                   const http::HttpRequest& request,
                                                   Logger& logger);

// Cache-Control: no-store and Pragma: no-cache, for every token-endpoint answer (RFC 6749
// §5.1) and the introspection and revocation answers, which carry token state.
void add_no_store_headers(http::HttpResponse& response);

}  // namespace keyward::server
