#include "server/endpoints/oauth_error_writer.h"

#include <algorithm>
#include <string>

namespace keyward::server {

void add_no_store_headers(http::HttpResponse& response) {
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
}

http::HttpResponse oauth_error_response(const grants::OAuthError& error,
                                        std::string_view request_id) {
  const int status = error.http_status();
  nlohmann::json body = {{"error", error.wire_name()}};
  if (status >= 500 && error.code == grants::ErrorCode::ServerError) {
    // What went wrong is for the log only; the request id lets an operator find it.
    body["error_description"] = "internal error";
    body["request_id"] = request_id;
  } else if (!error.description.empty()) {
    body["error_description"] = error.description;
  }
  auto response = http::HttpResponse::json(status, body);
  add_no_store_headers(response);
  if (error.code == grants::ErrorCode::InvalidClient && error.basic_auth_used) {
    response.headers.set("WWW-Authenticate", std::string(kBasicChallenge));
  }
  if (error.retry_after) {
    response.headers.set(
        "Retry-After",
        std::to_string(std::max<long long>(1, static_cast<long long>(error.retry_after->count()))));
  }
  return response;
}

void log_oauth_error(const grants::OAuthError& error, const http::HttpRequest& request,
                     Logger& logger, std::string_view message) {
  const int status = error.http_status();
  if (status < 500 && error.log_detail.empty()) return;
  Logger::Fields fields = {{"request_id", request.request_id},
                           {"route", request.route},
                           {"error", error.wire_name()},
                           {"status", status}};
  if (!error.log_detail.empty()) fields["detail"] = error.log_detail;
  logger.log(status >= 500 ? LogLevel::Error : LogLevel::Info, message, fields);
}

http::HttpResponse write_oauth_error(const grants::OAuthError& error,
                                     const http::HttpRequest& request, Logger& logger) {
  log_oauth_error(error, request, logger);
  return oauth_error_response(error, request.request_id);
}

}  // namespace keyward::server
