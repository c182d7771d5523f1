#include "resource_server/cache_control.h"

#include <cstdint>

#include "common/text.h"

namespace keyward::rs {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// delta-seconds = 1*DIGIT, optionally quoted (§5.2: the quoted form SHOULD be accepted).
std::optional<std::chrono::seconds> delta_seconds(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty()) return std::nullopt;
  constexpr int64_t kCap = int64_t{1} << 31;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
    if (n > kCap) n = kCap;
  }
  return std::chrono::seconds(n);
}

}  // namespace

CacheDirectives parse_cache_control(std::string_view value) {
  CacheDirectives out;
  int max_age_seen = 0;
  bool max_age_bad = false;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string_view name = trim(item.substr(0, eq));
    const std::string_view arg =
        eq == std::string_view::npos ? std::string_view{} : trim(item.substr(eq + 1));
    if (iequals(name, "max-age")) {
      ++max_age_seen;
      auto seconds = delta_seconds(arg);
      if (!seconds) max_age_bad = true;
      out.max_age = seconds;
    } else if (iequals(name, "no-store")) {
      out.no_store = true;
    } else if (iequals(name, "no-cache")) {
      out.no_cache = true;
    }
  }
  if (max_age_seen != 1 || max_age_bad) out.max_age.reset();
  return out;
}

}  // namespace keyward::rs
