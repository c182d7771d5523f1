#include "http/router.h"

#include <optional>
#include <stdexcept>

namespace keyward::http {

namespace {
const std::pair<Method, std::string_view> kMethodNames[] = {
    {Method::Get, "GET"},     {Method::Head, "HEAD"},     {Method::Post, "POST"},
    {Method::Put, "PUT"},     {Method::Delete, "DELETE"}, {Method::Options, "OPTIONS"},
    {Method::Patch, "PATCH"}, {Method::Trace, "TRACE"},   {Method::Connect, "CONNECT"},
};
}  // namespace

std::string_view method_name(Method method) {
  for (const auto& [m, name] : kMethodNames) {
    if (m == method) return name;
  }
  return "UNKNOWN";
}

std::optional<Method> parse_method(std::string_view name) {
  // RFC 9110 §9.1: the method token is case-sensitive.
  for (const auto& [m, n] : kMethodNames) {
    if (n == name) return m;
  }
  return std::nullopt;
}

bool is_path_template(std::string_view path) {
  const size_t open = path.find('{');
  if (open == std::string_view::npos) return false;
  return open > 0 && path[open - 1] == '/' && path.back() == '}' && open + 2 < path.size() &&
         path.find_first_of("{}/", open + 1) == path.size() - 1;
}

namespace {

// The segment `path` gives for the template `pattern`, or nullopt when it does not fit.
std::optional<std::string_view> template_segment(std::string_view pattern, std::string_view path) {
  const std::string_view prefix = pattern.substr(0, pattern.find('{'));
  if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view segment = path.substr(prefix.size());
  if (segment.find('/') != std::string_view::npos) return std::nullopt;
  return segment;
}

}  // namespace

void Router::add(Method method, std::string path, Handler handler, Execution execution,
                 QueryErrors query_errors) {
  for (const auto& r : routes_) {
    if (r.method == method && r.path == path) {
      throw std::logic_error("route registered twice: " + std::string(method_name(method)) + " " +
                             path);
    }
  }
  if (path.find_first_of("{}") != std::string::npos && !is_path_template(path)) {
    throw std::logic_error("bad path template: " + path);
  }
  routes_.push_back({method, std::move(path), std::move(handler), execution, query_errors});
}

Router::Match Router::match(Method method, std::string_view path) const {
  // Exact paths first; templates only when no exact path is registered.
  for (const bool templates : {false, true}) {
    Match m;
    for (const auto& r : routes_) {
      std::optional<std::string_view> segment;
      if (templates) {
        if (!is_path_template(r.path)) continue;
        segment = template_segment(r.path, path);
        if (!segment) continue;
      } else if (r.path != path) {
        continue;
      }
      if (r.method == method) {
        m.kind = Match::Kind::Found;
        m.route = &r;
        m.allow.clear();
        m.path_param = segment ? std::string(*segment) : std::string();
        return m;
      }
      m.kind = Match::Kind::MethodNotAllowed;
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += method_name(r.method);
    }
    if (m.kind != Match::Kind::NotFound) return m;
  }
  return Match{};
}

}  // namespace keyward::http
