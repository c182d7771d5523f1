#pragma once
// Dynamic client registration over HTTP (docs/registration.md), when KEYWARD_DCR is not
// off (off: no route, so 404):
//   POST   /register               RFC 7591 §3.1: JSON metadata → 201 with the client
//   GET    /register/{client_id}   RFC 7592 §2.1: the client's current registration
//   PUT    /register/{client_id}   RFC 7592 §2.2: full replacement; the token rotates
//   DELETE /register/{client_id}   RFC 7592 §2.3: 204, the client and its tokens gone
// POST carries the initial access token (KEYWARD_DCR=token) and the others the
// registration access token as `Authorization: Bearer` (RFC 6750 §2.1). A missing, wrong
// or spent token is 401 invalid_token with WWW-Authenticate: Bearer; a wrong token and an
// unknown client answer alike. Bodies are application/json, at most 16 KiB. Errors are
// {"error", "error_description"} (RFC 7591 §3.2.2), every answer Cache-Control: no-store.
// The rules are grants::DynamicRegistration's; all routes run on the worker pool.
#include <string_view>

#include "audit/event.h"
#include "common/log.h"
#include "grants/dynamic_registration.h"
#include "http/router.h"

namespace keyward::server {

inline constexpr std::string_view kRegistrationPath = "/register";
inline constexpr std::string_view kRegistrationClientPath = "/register/{client_id}";
inline constexpr std::size_t kMaxRegistrationBody = 16 * 1024;

struct RegistrationEndpoint {
  const grants::DynamicRegistration& registration;
  Logger& logger;
  // client_created / client_changed / client_deleted, actor "registration" (the client
  // acts on itself with its registration access token, or registers).
  audit::EventSink& events;
};

void add_registration_routes(http::Router& router, RegistrationEndpoint endpoint);

[[nodiscard]] http::HttpResponse handle_registration(const http::HttpRequest& request,
                                                     const RegistrationEndpoint& endpoint);
// GET, PUT and DELETE on registration_client_uri (registration_management.cpp).
[[nodiscard]] http::HttpResponse handle_registration_management(
    const http::HttpRequest& request, const RegistrationEndpoint& endpoint);

// Shared by both files: the Bearer token of the Authorization header, and the answers.
namespace registration_http {

struct Presented {
  std::optional<std::string> token;         // nullopt: none sent (or another scheme)
  std::optional<grants::OAuthError> error;  // a malformed header
};
[[nodiscard]] Presented bearer_token(const http::HttpRequest& request);

// The RFC 7591 §3.2.2 error, with WWW-Authenticate: Bearer on 401 (RFC 6750 §3: with
// error="invalid_token" only when a token was presented).
[[nodiscard]] http::HttpResponse error(const grants::OAuthError& error,
                                       const http::HttpRequest& request, Logger& logger,
                                       bool token_presented);

// 400 unless the body is application/json of at most kMaxRegistrationBody bytes.
[[nodiscard]] std::optional<grants::OAuthError> body_problem(const http::HttpRequest& request);

[[nodiscard]] http::HttpResponse answer(int status, const grants::RegistrationAnswer& answer);

void report(const RegistrationEndpoint& endpoint, const http::HttpRequest& request,
            audit::EventType type, const std::string& client_id,
            nlohmann::json detail = nlohmann::json::object());

}  // namespace registration_http

}  // namespace keyward::server
