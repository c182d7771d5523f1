#pragma once
// Our own routing table, filled at start-up and read-only afterwards, so reactor
// threads read it without locks. Every path answers every method: an unregistered
// method gets 405 with Allow and an unknown path 404, both decided here. (Pistache
// 0.0.5's Rest::Router inserts into a shared map when it meets a method it has no
// route for, a data race between reactor threads; we do not use it at all.)
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace keyward::http {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// Where a handler runs. Reactor: inline on the Pistache thread that read the request
// (for handlers that never block: no database, no Argon2). Worker: on the worker pool,
// answering through the moved ResponseWriter (database calls, password hashing).
enum class Execution { Reactor, Worker };

// Who answers a query string that does not decode (bad escape, NUL, not UTF-8, too many
// parameters). Refuse: the layer, with a JSON 400, before the handler. ToHandler: the
// handler, which finds the reason in HttpRequest::query_error; for browser pages, which
// answer with an HTML error page rather than JSON.
enum class QueryErrors { Refuse, ToHandler };

struct Route {
  Method method = Method::Get;
  std::string path;
  Handler handler;
  Execution execution = Execution::Reactor;
  QueryErrors query_errors = QueryErrors::Refuse;
  size_t path_index = 0;  // of `path` in Router::paths()
};

class Router {
 public:
  // Paths match exactly, character for character (no trailing-slash folding), except a
  // segment written "{name}", which matches any one non-empty segment and hands it to the
  // handler percent-decoded (HttpRequest::path_params); a segment that does not decode
  // strictly (bad escape, NUL, not UTF-8) matches nothing. A literal path wins over a
  // template, and a template with more literal segments over one with fewer; templates
  // that tie are tried in the order they were added. Registering the same method and path
  // twice, or a malformed template ("{}", "a{b}", "{a}{b}"), throws std::logic_error.
  void add(Method method, std::string path, Handler handler,
           Execution execution = Execution::Reactor,
           QueryErrors query_errors = QueryErrors::Refuse);

  struct Match {
    enum class Kind { Found, MethodNotAllowed, NotFound } kind = Kind::NotFound;
    const Route* route = nullptr;  // when Found
    std::string allow;             // when MethodNotAllowed: "GET, POST"
    PathParams params;             // when Found: the template's {name} segments, decoded
    // When Found or MethodNotAllowed: the path (template) that matched, and its index in
    // paths().
    std::string_view path;
    size_t path_index = kUnmatchedRoute;
  };
  [[nodiscard]] Match match(Method method, std::string_view path) const;

  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }
  // Every distinct path (literal or template) routes were added for, in order of first use:
  // what request metrics are labelled by (a bounded set, unlike raw paths).
  [[nodiscard]] const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::string> paths_;
};

}  // namespace keyward::http
