#include "http/service.h"

#include <algorithm>
#include <ctime>
#include <exception>

#include "http/cookies.h"
#include "http/form.h"
#include "http/request_id.h"
#include "http/security_headers.h"

namespace keyward::http {

namespace {

// Does a comma-separated header value (RFC 9110 §5.6.1) contain `token`, case-insensitively?
bool has_token(const Headers& headers, std::string_view name, std::string_view token) {
  for (auto value : headers.get_all(name)) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t end = value.find(',', start);
      if (end == std::string_view::npos) end = value.size();
      std::string_view item = value.substr(start, end - start);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (iequals(item, token)) return true;
      start = end + 1;
    }
  }
  return false;
}

// RFC 9110 §5.6.7 IMF-fixdate.
std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

HttpResponse bad_request(std::string_view description) {
  return json_error(400, "invalid_request", description);
}

struct Problem {
  int status;
  std::string_view description;
};

// What is wrong with the message framing or header fields, if anything. Pistache 0.0.5
// reads "Content-Length: abc" as 0 and only the first of two Content-Length fields; the
// body it read is then not the body that was sent, so we refuse the request rather than
// act on it (RFC 9112 §6.3: such a message is invalid).
std::optional<Problem> framing_problem(const Headers& headers, const std::string& body) {
  for (const auto& f : headers.fields()) {
    if (!is_token(f.name)) return Problem{400, "invalid header field name"};
    // RFC 9110 allows an empty field value, but nginx 1.22 (our front door) turns a
    // header line without a colon into exactly that and forwards it; no client of an
    // authorization server needs an empty field, so we refuse what was a malformed line.
    if (f.value.empty()) return Problem{400, "empty header field"};
    for (const char c : f.value) {
      // RFC 9110 §5.5: CR, LF and NUL are never valid in a field value.
      if (c == '\r' || c == '\n' || c == '\0') return Problem{400, "invalid header field"};
    }
  }
  const auto lengths = headers.get_all("Content-Length");
  const auto codings = headers.get_all("Transfer-Encoding");
  if (!codings.empty()) {
    // RFC 9112 §6.1: both together are a smuggling attempt or a broken intermediary.
    if (!lengths.empty()) return Problem{400, "both Content-Length and Transfer-Encoding"};
    if (codings.size() != 1 || !iequals(codings.front(), "chunked")) {
      return Problem{501, "unsupported Transfer-Encoding"};
    }
    return std::nullopt;
  }
  if (lengths.size() > 1) return Problem{400, "more than one Content-Length"};
  if (lengths.size() == 1) {
    const auto v = lengths.front();
    if (v.empty() || v.size() > 18 ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Problem{400, "invalid Content-Length"};
    }
    if (std::stoull(std::string(v)) != body.size())
      return Problem{400, "body does not match Content-Length"};
  }
  return std::nullopt;
}

}  // namespace

HttpService::HttpService(HttpServiceOptions options, Logger& logger)
    : options_(std::move(options)), logger_(logger) {}

HttpResponse HttpService::server_error(std::string_view request_id) {
  auto r = HttpResponse::json(500, {{"error", "server_error"},
                                    {"error_description", "internal error"},
                                    {"request_id", request_id}});
  r.headers.set("Cache-Control", "no-store");
  return r;
}

HttpResponse HttpService::unavailable(std::string_view description) {
  auto r = json_error(503, "temporarily_unavailable", description);
  r.headers.set("Retry-After", "1");
  return r;
}

HttpService::Prepared HttpService::prepare(IncomingRequest in) const {
  Prepared p;
  HttpRequest& req = p.request;
  req.request_id = choose_request_id(in.headers.get("X-Request-ID").value_or(""));
  req.peer_address = in.peer_address;
  req.client_ip = resolve_client_ip(in.peer_address, in.headers.get_all("X-Forwarded-For"),
                                    options_.trusted_proxies);
  req.http11 = in.http11;
  req.headers = std::move(in.headers);
  req.body = std::move(in.body);

  const std::string_view target = in.target;
  const size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.raw_query = std::string(target.substr(q + 1));

  const auto method = parse_method(in.method);
  if (!method) {
    req.known_method = false;
    p.response = json_error(501, "not_implemented", "method not implemented");
    return p;
  }
  req.method = *method;

  if (auto problem = framing_problem(req.headers, req.body)) {
    p.response =
        json_error(problem->status, problem->status == 501 ? "not_implemented" : "invalid_request",
                   problem->description);
    // The body Pistache read is not the one that was sent: the connection is not reused.
    p.response->headers.set("Connection", "close");
    return p;
  }
  // Only origin-form (RFC 9112 §3.2.1) reaches us through the front door; a fragment
  // is never sent by a conforming client.
  if (req.path.empty() || req.path.front() != '/' || target.find('#') != std::string_view::npos) {
    p.response = bad_request("invalid request-target");
    return p;
  }
  auto query = parse_form_urlencoded(req.raw_query);
  if (query.ok()) {
    req.query = std::move(query).value();
  } else {
    req.query_error = "malformed query string: " + query.error().message;
  }

  // RFC 6265 §5.4 allows one Cookie field; an HTTP/2 front end may split it into
  // several, which RFC 9113 §8.2.3 says to join with "; ".
  const auto cookie_fields = req.headers.get_all("Cookie");
  if (!cookie_fields.empty()) {
    std::string joined;
    for (auto v : cookie_fields) {
      if (!joined.empty()) joined += "; ";
      joined += v;
    }
    req.cookies = parse_cookie_header(joined);
  }
  if (draining()) {
    p.response = unavailable("server is shutting down");
    return p;
  }

  const auto match = router_.match(req.method, req.path);
  req.route = match.path;
  req.route_index = match.path_index;
  if (req.query_error && (match.kind != Router::Match::Kind::Found ||
                          match.route->query_errors == QueryErrors::Refuse)) {
    p.response = bad_request(*req.query_error);
    return p;
  }
  switch (match.kind) {
    case Router::Match::Kind::Found:
      p.route = match.route;
      req.path_params = match.params;
      break;
    case Router::Match::Kind::MethodNotAllowed:
      p.response = json_error(405, "method_not_allowed", "method not allowed");
      p.response->headers.set("Allow", match.allow);
      break;
    case Router::Match::Kind::NotFound:
      p.response = json_error(404, "not_found", "no such endpoint");
      break;
  }
  return p;
}

HttpResponse HttpService::invoke(const Route& route, const HttpRequest& request) const noexcept {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    try {
      logger_.error(
          "unhandled exception",
          {{"request_id", request.request_id}, {"route", request.route}, {"exception", e.what()}});
    } catch (...) {  // NOLINT(bugprone-empty-catch): logging must not turn into a crash
    }
  } catch (...) {
    try {
      logger_.error(
          "unhandled exception",
          {{"request_id", request.request_id}, {"route", request.route}, {"exception", "unknown"}});
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }
  try {
    return server_error(request.request_id);
  } catch (...) {
    HttpResponse r;  // bad_alloc while building the 500: still answer something
    r.status = 500;
    return r;
  }
}

bool HttpService::finish(const HttpRequest& request, HttpResponse& response,
                         std::chrono::steady_clock::duration elapsed) const noexcept {
  bool close = false;
  try {
    // Keep-alive: HTTP/1.1 is persistent unless the client says close; HTTP/1.0 only
    // when it asks (RFC 9112 §9.3). Pistache 0.0.5 answers "Connection: Close" to every
    // request without a Connection header yet keeps the socket open; clients then
    // reconnect for every request, 3.5x slower.
    if (request.http11) {
      close = has_token(request.headers, "Connection", "close");
    } else {
      close = !has_token(request.headers, "Connection", "keep-alive");
    }
    // The layer's own answer to a message whose framing it cannot trust says close.
    if (draining() || iequals(response.headers.get("Connection").value_or(""), "close"))
      close = true;
    response.headers.set("Connection", close ? "close" : "keep-alive");
    response.headers.set("X-Request-ID", request.request_id);
    response.headers.set("Date", http_date());
    add_common_security_headers(response.headers);

    if (metrics_ != nullptr) metrics_->observe(request, response.status, elapsed);
    // The route template, never the raw path (ids, e-mail addresses in a path) nor the query.
    Logger::Fields fields = {
        {"request_id", request.request_id},
        {"method", request.method_label()},
        {"route", request.route.empty() ? std::string_view(kUnmatchedRouteName) : request.route},
        {"status", response.status},
        {"duration_ms",
         static_cast<double>(
             std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()) /
             1000.0},
        {"client_ip", request.client_ip},
    };
    if (!response.log_client_id.empty()) fields["client_id"] = response.log_client_id;
    logger_.info("request", fields);
  } catch (...) {  // NOLINT(bugprone-empty-catch): the response still goes out
  }
  return close;
}

}  // namespace keyward::http
