#pragma once
// Everything the HTTP layer does around a handler, with no Pistache in it, so it is
// tested in-process: request id, client address, strict parsing of the request target,
// query and cookies, routing (404/405), the catch-all, the headers every response gets,
// keep-alive, and the access-log line. pistache_adapter.cpp only moves bytes in and out.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/log.h"
#include "http/client_ip.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/request_metrics.h"
#include "http/response.h"
#include "http/router.h"

namespace keyward::http {

// A request as read off the wire, before any interpretation.
struct IncomingRequest {
  std::string method;  // as sent
  std::string target;  // request-target as sent: path and optional "?query"
  bool http11 = true;
  Headers headers;
  std::string body;
  std::string peer_address;
};

struct HttpServiceOptions {
  TrustedProxies trusted_proxies;
};

class HttpService {
 public:
  HttpService(HttpServiceOptions options, Logger& logger);

  // Routes are added before the server starts and never after: reactor threads read
  // the table without locks.
  [[nodiscard]] Router& router() { return router_; }
  [[nodiscard]] const Router& router() const { return router_; }

  struct Prepared {
    HttpRequest request;                   // filled as far as parsing got; request_id always
    const Route* route = nullptr;          // the handler to run, when `response` is empty
    std::optional<HttpResponse> response;  // the layer's own answer (400, 404, 405, 503...)
  };
  [[nodiscard]] Prepared prepare(IncomingRequest in) const;

  // Runs the handler. Any exception becomes the generic 500 and an error log line with
  // the request id; the exception text never reaches the client.
  [[nodiscard]] HttpResponse invoke(const Route& route, const HttpRequest& request) const noexcept;

  // Counts every finished request in `metrics` from now on; set before the server starts
  // (after every route is added), never after. `metrics` must outlive the service.
  void measure_with(RequestMetrics* metrics) { metrics_ = metrics; }

  // Adds X-Request-ID, X-Content-Type-Options, Date and Connection to the response, counts
  // the request (measure_with) and writes the access-log line: time, request_id, method,
  // route (the template, "unmatched" when no path matched), status, duration_ms, client_ip
  // and client_id when known. Returns whether the connection should be closed.
  bool finish(const HttpRequest& request, HttpResponse& response,
              std::chrono::steady_clock::duration elapsed) const noexcept;

  // {"error":"server_error","error_description":"internal error","request_id":…}
  [[nodiscard]] static HttpResponse server_error(std::string_view request_id);
  // 503 temporarily_unavailable with Retry-After, for a full worker queue or a drain.
  [[nodiscard]] static HttpResponse unavailable(std::string_view description);

  // After this, requests that have not reached a handler are answered 503 with
  // Connection: close, and readiness reports "shutting down".
  void begin_drain() { draining_.store(true); }
  [[nodiscard]] bool draining() const { return draining_.load(); }

  [[nodiscard]] Logger& logger() const { return logger_; }

 private:
  HttpServiceOptions options_;
  Logger& logger_;
  Router router_;
  RequestMetrics* metrics_ = nullptr;
  std::atomic<bool> draining_{false};
};

}  // namespace keyward::http
