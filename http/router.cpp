#include "http/router.h"

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

void Router::add(Method method, std::string path, Handler handler, Execution execution,
                 QueryErrors query_errors) {
  for (const auto& r : routes_) {
    if (r.method == method && r.path == path) {
      throw std::logic_error("route registered twice: " + std::string(method_name(method)) + " " +
                             path);
    }
  }
  routes_.push_back({method, std::move(path), std::move(handler), execution, query_errors});
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match m;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    if (r.method == method) {
      m.kind = Match::Kind::Found;
      m.route = &r;
      m.allow.clear();
      return m;
    }
    m.kind = Match::Kind::MethodNotAllowed;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += method_name(r.method);
  }
  return m;
}

}  // namespace keyward::http
