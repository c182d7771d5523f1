#include "http/router.h"

#include <stdexcept>

#include "http/form.h"

namespace keyward::http {

namespace {
const std::pair<Method, std::string_view> kMethodNames[] = {
    {Method::Get, "GET"},     {Method::Head, "HEAD"},     {Method::Post, "POST"},
    {Method::Put, "PUT"},     {Method::Delete, "DELETE"}, {Method::Options, "OPTIONS"},
    {Method::Patch, "PATCH"}, {Method::Trace, "TRACE"},   {Method::Connect, "CONNECT"},
};
bool is_template(std::string_view path) {
  return path.find('{') != std::string_view::npos;
}

// The path's segments after the leading '/': "/a/b" -> {"a", "b"}, "/" -> {""}.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param_segment(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path` fits the template; the decoded parameters go to `params`.
bool matches_template(std::string_view templ, std::string_view path, PathParams& params) {
  const auto want = segments(templ);
  const auto got = segments(path);
  if (want.size() != got.size()) return false;
  PathParams found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!is_param_segment(want[i])) {
      if (want[i] != got[i]) return false;
      continue;
    }
    if (got[i].empty()) return false;
    auto decoded = percent_decode(got[i], /*plus_is_space=*/false);
    if (!decoded.ok() || decoded->empty()) return false;
    found.emplace_back(std::string(want[i].substr(1, want[i].size() - 2)),
                       std::move(decoded).value());
  }
  params = std::move(found);
  return true;
}

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
  if (is_template(path)) {
    for (auto segment : segments(path)) {
      if (segment.find_first_of("{}") != std::string_view::npos && !is_param_segment(segment)) {
        throw std::logic_error("a template segment must be a whole {name}: " + path);
      }
    }
  }
  routes_.push_back({method, std::move(path), std::move(handler), execution, query_errors});
}

Router::Match Router::match(Method method, std::string_view path) const {
  // Exact paths first; templates only when no exact path exists (whatever its methods).
  for (const bool templates : {false, true}) {
    Match m;
    std::string_view matched_template;
    for (const auto& r : routes_) {
      PathParams params;
      if (is_template(r.path) != templates) continue;
      if (templates) {
        // Once a template has matched, only routes of that same template are considered.
        if (!matched_template.empty() && r.path != matched_template) continue;
        if (!matches_template(r.path, path, params)) continue;
        matched_template = r.path;
      } else if (r.path != path) {
        continue;
      }
      if (r.method == method) {
        m.kind = Match::Kind::Found;
        m.route = &r;
        m.allow.clear();
        m.params = std::move(params);
        return m;
      }
      m.kind = Match::Kind::MethodNotAllowed;
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += method_name(r.method);
    }
    if (m.kind != Match::Kind::NotFound) return m;
  }
  return {};
}

}  // namespace keyward::http
