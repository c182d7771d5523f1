#pragma once
// The response as endpoints produce it: plain values, no Pistache.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/headers.h"

namespace keyward::http {

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // For the access log only, never sent: the OAuth client this request was for, once an
  // endpoint knows it (Observability in DESIGN.md).
  std::string log_client_id;
  // For the server log only, never sent: why a 5xx answer happened, when the endpoint knows
  // more than it may say (the admin API's "the server log has the details").
  std::string log_error;

  // application/json; nlohmann's dump with invalid UTF-8 replaced, never thrown.
  [[nodiscard]] static HttpResponse json(int status, const nlohmann::json& doc);
  // text/html; charset=utf-8 with the page security headers (security_headers.h).
  [[nodiscard]] static HttpResponse html(int status, std::string body);
};

// Serialises without throwing on invalid UTF-8 (it is replaced by U+FFFD): a request
// field echoed into JSON must never turn a 400 into a 500.
[[nodiscard]] std::string dump_json(const nlohmann::json& doc);

// {"error": code, "error_description": description} with Cache-Control: no-store,
// the RFC 6749 §5.2 shape, for errors the HTTP layer itself answers.
[[nodiscard]] HttpResponse json_error(int status, std::string_view code,
                                      std::string_view description);

// The reason phrase for the status codes we send (RFC 9110 §15).
[[nodiscard]] std::string_view reason_phrase(int status);

}  // namespace keyward::http
