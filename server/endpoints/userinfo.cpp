#include "server/endpoints/userinfo.h"

#include <algorithm>

#include "grants/scope.h"
#include "grants/wire.h"
#include "http/form.h"
#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {
namespace {

namespace wire = grants::wire;
using grants::ErrorCode;
using grants::OAuthError;

constexpr std::string_view kRealm = "Bearer realm=\"keyward\"";

void add_cors(http::HttpResponse& response) {
  response.headers.set("Access-Control-Allow-Origin", "*");
}

// RFC 6750 §3: the challenge, with error and error_description when there is an error.
// Descriptions are ours and contain no '"' or '\'.
http::HttpResponse bearer_error(const OAuthError& error, const http::HttpRequest& request,
                                Logger& logger) {
  http::HttpResponse response = write_oauth_error(error, request, logger);
  std::string challenge(kRealm);
  if (error.code == ErrorCode::InvalidToken || error.code == ErrorCode::InsufficientScope ||
      error.code == ErrorCode::InvalidRequest) {
    challenge += ", error=\"" + std::string(error.wire_name()) + "\"";
    if (!error.description.empty()) {
      challenge += ", error_description=\"" + error.description + "\"";
    }
    if (error.code == ErrorCode::InsufficientScope) {
      challenge += ", scope=\"" + std::string(grants::kOpenIdScope) + "\"";
    }
  }
  if (error.http_status() < 500) response.headers.set("WWW-Authenticate", challenge);
  add_cors(response);
  return response;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool is_b64token(std::string_view token) {
  if (token.empty()) return false;
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0) return false;
  return std::all_of(token.begin(), token.begin() + static_cast<long>(end), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  });
}

struct Presented {
  std::optional<std::string> token;
  std::optional<OAuthError> error;
};

Presented presented_token(const http::HttpRequest& request) {
  Presented out;
  const auto headers = request.headers.get_all("Authorization");
  if (headers.size() > 1) {
    out.error = OAuthError::invalid_request("more than one Authorization header");
    return out;
  }
  if (headers.size() == 1) {
    const std::string_view value = headers.front();
    if (value.size() < 7 || !iequals(value.substr(0, 7), "Bearer ")) {
      // Another scheme: as if no Bearer token was sent (RFC 6750 §3.1).
      return out;
    }
    std::string_view token = value.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (!is_b64token(token)) {
      out.error = OAuthError::invalid_token("the access token is malformed");
      return out;
    }
    out.token = std::string(token);
  }
  if (request.method == http::Method::Post && !request.body.empty()) {
    auto form = http::parse_form_urlencoded(request.body);
    if (!form.ok() || form->count(wire::kAccessToken) > 1) {
      out.error = OAuthError::invalid_request("the form body is malformed");
      return out;
    }
    if (const auto body_token = form->get(wire::kAccessToken)) {
      // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token."
      if (out.token) {
        out.error = OAuthError::invalid_request("the access token was sent twice");
        return out;
      }
      out.token = std::string(*body_token);
    }
  }
  return out;
}

}  // namespace

http::HttpResponse handle_userinfo(const http::HttpRequest& request,
                                   const UserInfoEndpoint& endpoint) {
  const Presented presented = presented_token(request);
  if (presented.error) return bearer_error(*presented.error, request, endpoint.logger);
  if (!presented.token) {
    // RFC 6750 §3.1: no credentials, no error code.
    http::HttpResponse response = http::HttpResponse::json(
        401, {{wire::kErrorDescription, "a Bearer access token is required"}});
    add_no_store_headers(response);
    response.headers.set("WWW-Authenticate", std::string(kRealm));
    add_cors(response);
    return response;
  }
  auto claims = endpoint.userinfo.claims(*presented.token);
  if (!claims.ok()) return bearer_error(claims.error(), request, endpoint.logger);
  http::HttpResponse response = http::HttpResponse::json(200, *claims);
  add_no_store_headers(response);
  add_cors(response);
  return response;
}

void add_userinfo_routes(http::Router& router, UserInfoEndpoint endpoint) {
  for (http::Method method : {http::Method::Get, http::Method::Post}) {
    router.add(
        method, std::string(kUserInfoPath),
        [endpoint](const http::HttpRequest& request) { return handle_userinfo(request, endpoint); },
        http::Execution::Worker);
  }
  // The CORS preflight a browser sends before a cross-origin call with Authorization.
  router.add(http::Method::Options, std::string(kUserInfoPath), [](const http::HttpRequest&) {
    http::HttpResponse response;
    response.status = 204;
    response.headers.set("Access-Control-Allow-Origin", "*");
    response.headers.set("Access-Control-Allow-Methods", "GET, POST");
    response.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
    response.headers.set("Access-Control-Max-Age", "600");
    return response;
  });
}

}  // namespace keyward::server
