#include "server/endpoints/registration.h"

#include <algorithm>

#include "common/text.h"
#include "http/content_type.h"
#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {

namespace registration_http {
namespace {

constexpr std::string_view kRealm = "Bearer realm=\"keyward\"";

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool is_b64token(std::string_view token) {
  std::size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0 || token.size() > 1024) return false;
  return std::all_of(token.begin(), token.begin() + static_cast<long>(end), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  });
}

}  // namespace

Presented bearer_token(const http::HttpRequest& request) {
  Presented out;
  const auto headers = request.headers.get_all("Authorization");
  if (headers.size() > 1) {
    out.error = grants::OAuthError::invalid_request("more than one Authorization header");
    return out;
  }
  if (headers.empty()) return out;
  const std::string_view value = headers.front();
  // Another scheme: as if no Bearer token was sent (RFC 6750 §3.1).
  if (value.size() < 7 || !iequals(value.substr(0, 7), "Bearer ")) return out;
  std::string_view token = value.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!is_b64token(token)) {
    out.error = grants::OAuthError::invalid_token("the access token is malformed");
    return out;
  }
  out.token = std::string(token);
  return out;
}

http::HttpResponse error(const grants::OAuthError& error, const http::HttpRequest& request,
                         Logger& logger, bool token_presented) {
  http::HttpResponse response = write_oauth_error(error, request, logger);
  if (error.code == grants::ErrorCode::InvalidToken) {
    std::string challenge(kRealm);
    // Descriptions are ours and contain no '"' or '\'.
    if (token_presented) {
      challenge += ", error=\"invalid_token\", error_description=\"" + error.description + "\"";
    }
    response.headers.set("WWW-Authenticate", challenge);
  }
  return response;
}

std::optional<grants::OAuthError> body_problem(const http::HttpRequest& request) {
  if (!http::has_media_type(request.headers, "application/json")) {
    return grants::OAuthError::invalid_request("the body must be application/json");
  }
  if (request.body.size() > kMaxRegistrationBody) {
    return grants::OAuthError::invalid_client_metadata(
        "the metadata is larger than " + std::to_string(kMaxRegistrationBody / 1024) + " KiB");
  }
  return std::nullopt;
}

http::HttpResponse answer(int status, const grants::RegistrationAnswer& answer) {
  http::HttpResponse response = http::HttpResponse::json(status, answer.body);
  add_no_store_headers(response);
  response.log_client_id = answer.client_id;
  return response;
}

}  // namespace registration_http

http::HttpResponse handle_registration(const http::HttpRequest& request,
                                       const RegistrationEndpoint& endpoint) {
  const auto presented = registration_http::bearer_token(request);
  if (presented.error) {
    return registration_http::error(*presented.error, request, endpoint.logger, true);
  }
  // Refused before the body is read: without a usable token nothing about the metadata is
  // worth answering.
  if (auto admitted = endpoint.registration.admit(presented.token); !admitted.ok()) {
    return registration_http::error(admitted.error(), request, endpoint.logger,
                                    presented.token.has_value());
  }
  if (auto problem = registration_http::body_problem(request)) {
    return registration_http::error(*problem, request, endpoint.logger, false);
  }
  auto registered = endpoint.registration.register_client(request.body, presented.token);
  if (!registered.ok()) {
    return registration_http::error(registered.error(), request, endpoint.logger,
                                    presented.token.has_value());
  }
  registration_http::report(endpoint, request, audit::EventType::ClientCreated,
                            registered->client_id,
                            {{"registration", presented.token ? "initial_access_token" : "open"},
                             {"name", registered->body.value("client_name", "")}});
  // RFC 7591 §3.2.1: 201 Created.
  return registration_http::answer(201, *registered);
}

void registration_http::report(const RegistrationEndpoint& endpoint,
                               const http::HttpRequest& request, audit::EventType type,
                               const std::string& client_id, nlohmann::json detail) {
  endpoint.events.record(audit::Event{.type = type,
                                      .client_id = client_id,
                                      .address = request.client_ip,
                                      .request_id = request.request_id,
                                      .actor = "registration",
                                      .detail = std::move(detail)});
}

void add_registration_routes(http::Router& router, RegistrationEndpoint endpoint) {
  router.add(
      http::Method::Post, std::string(kRegistrationPath),
      [endpoint](const http::HttpRequest& request) {
        return handle_registration(request, endpoint);
      },
      http::Execution::Worker);
  for (const auto method : {http::Method::Get, http::Method::Put, http::Method::Delete}) {
    router.add(
        method, std::string(kRegistrationClientPath),
        [endpoint](const http::HttpRequest& request) {
          return handle_registration_management(request, endpoint);
        },
        http::Execution::Worker);
  }
}

}  // namespace keyward::server
