#include "http/router.h"

#include <optional>
#include <stdexcept>
#include <vector>

#include "http/form.h"

namespace keyward::http {

namespace {
const std::pair<Method, std::string_view> kMethodNames[] = {
    {Method::Get, "GET"},     {Method::Head, "HEAD"},     {Method::Post, "POST"},
    {Method::Put, "PUT"},     {Method::Delete, "DELETE"}, {Method::Options, "OPTIONS"},
    {Method::Patch, "PATCH"}, {Method::Trace, "TRACE"},   {Method::Connect, "CONNECT"},
};
// "/a/{b}/c" -> {"a", "{b}", "c"}; the leading '/' gives no segment of its own.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = path.empty() || path.front() != '/' ? 0 : 1;
  while (true) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool is_template(std::string_view path) {
  return path.find('{') != std::string_view::npos;
}

void check_template(std::string_view path) {
  for (auto segment : segments(path)) {
    const bool braces = segment.find_first_of("{}") != std::string_view::npos;
    if (!braces) continue;
    const auto name = segment.substr(1, segment.size() >= 2 ? segment.size() - 2 : 0);
    if (!is_parameter(segment) || name.empty() ||
        name.find_first_of("{}") != std::string_view::npos) {
      throw std::logic_error("malformed route template: " + std::string(path));
    }
  }
}

// How well `pattern` matches `path`: nullopt when it does not; otherwise the number of
// literal segments (more is more specific), with the parameters decoded into `params`.
std::optional<size_t> template_match(std::string_view pattern, std::string_view path,
                                     PathParams& params) {
  const auto want = segments(pattern);
  const auto got = segments(path);
  if (want.size() != got.size()) return std::nullopt;
  PathParams found;
  size_t literals = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!is_parameter(want[i])) {
      if (want[i] != got[i]) return std::nullopt;
      ++literals;
      continue;
    }
    if (got[i].empty()) return std::nullopt;
    auto value = percent_decode(got[i], /*plus_is_space=*/false);
    if (!value.ok()) return std::nullopt;
    found.emplace_back(std::string(want[i].substr(1, want[i].size() - 2)),
                       std::move(value).value());
  }
  params = std::move(found);
  return literals;
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
  if (is_template(path)) check_template(path);
  for (const auto& r : routes_) {
    if (r.method == method && r.path == path) {
      throw std::logic_error("route registered twice: " + std::string(method_name(method)) + " " +
                             path);
    }
  }
  size_t path_index = 0;
  while (path_index < paths_.size() && paths_[path_index] != path) ++path_index;
  if (path_index == paths_.size()) paths_.push_back(path);
  routes_.push_back(
      {method, std::move(path), std::move(handler), execution, query_errors, path_index});
}

Router::Match Router::match(Method method, std::string_view path) const {
  // The pattern that answers this path: the literal one, else the most specific template.
  const std::string* pattern = nullptr;
  PathParams params;
  for (const auto& r : routes_) {
    if (r.path == path && !is_template(r.path)) {
      pattern = &r.path;
      params.clear();
      break;
    }
  }
  if (pattern == nullptr) {
    std::optional<size_t> best;
    for (const auto& r : routes_) {
      if (!is_template(r.path)) continue;
      PathParams candidate;
      const auto score = template_match(r.path, path, candidate);
      if (score && (!best || *score > *best)) {
        best = score;
        pattern = &r.path;
        params = std::move(candidate);
      }
    }
  }
  Match m;
  if (pattern == nullptr) return m;
  for (const auto& r : routes_) {
    if (r.path != *pattern) continue;
    m.path = r.path;
    m.path_index = r.path_index;
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
  return m;
}

}  // namespace keyward::http
