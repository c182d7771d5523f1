#pragma once
// The request as endpoints see it: plain values, no Pistache. Built by
// pistache_adapter.cpp and completed by HttpService (request id, client IP, cookies,
// decoded query) before any handler runs.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/cookies.h"
#include "http/form.h"
#include "http/headers.h"

namespace keyward::http {

enum class Method { Get, Head, Post, Put, Delete, Options, Patch, Trace, Connect };

inline constexpr Method kAllMethods[] = {Method::Get,   Method::Head,   Method::Post,
                                         Method::Put,   Method::Delete, Method::Options,
                                         Method::Patch, Method::Trace,  Method::Connect};

[[nodiscard]] std::string_view method_name(Method method);
[[nodiscard]] std::optional<Method> parse_method(std::string_view name);

// HttpRequest::route_index when no route's path matched (the router answered 404).
inline constexpr size_t kUnmatchedRoute = static_cast<size_t>(-1);

// The values of a route template's "{name}" segments (router.h), percent-decoded.
using PathParams = std::vector<std::pair<std::string, std::string>>;

// How logs and metrics name a request whose method is none of Method's (answered 501): a
// fixed word, never the token sent, so the label sets stay bounded.
inline constexpr std::string_view kOtherMethodName = "other";

struct HttpRequest {
  Method method = Method::Get;
  // False when the request line's method is none of Method's: `method` is then meaningless,
  // the service answers 501, and logs and metrics say kOtherMethodName.
  bool known_method = true;
  std::string path;       // the request-target's path, still percent-encoded
  std::string raw_query;  // after '?', still percent-encoded; empty when there is none
  FormParams query;       // raw_query decoded strictly (form.h)
  // Why raw_query did not decode, for routes that answer that themselves
  // (QueryErrors::ToHandler); `query` is then empty. Safe to show: it quotes no input.
  std::optional<std::string> query_error;
  Headers headers;  // every field as received, repeated ones included
  Cookies cookies;  // the Cookie header, malformed pairs skipped (cookies.h)
  std::string body;
  bool http11 = true;        // false for HTTP/1.0
  std::string peer_address;  // the TCP peer's IP
  std::string client_ip;     // the peer, or X-Forwarded-For when the peer is a trusted proxy
  std::string request_id;    // sane X-Request-ID from the client, or a fresh one
  PathParams path_params;    // the matched route's "{name}" segments, decoded
  // The route whose path matched, as registered ("/admin/v1/clients/{client_id}"), and its
  // index in Router::paths(); "" and kUnmatchedRoute when none did. What logs and metrics
  // name a request by: never the raw path, which may carry ids, and never the query.
  std::string_view route;
  size_t route_index = kUnmatchedRoute;

  // method_name(method), or kOtherMethodName when the method was not one of Method's.
  [[nodiscard]] std::string_view method_label() const {
    return known_method ? method_name(method) : kOtherMethodName;
  }

  // The value of the route's "{name}" segment; "" when the route has none of that name.
  [[nodiscard]] const std::string& path_param(std::string_view name) const {
    static const std::string kNone;
    for (const auto& [n, v] : path_params) {
      if (n == name) return v;
    }
    return kNone;
  }
};

}  // namespace keyward::http
