#include "grants/scope.h"

#include <algorithm>

namespace keyward::grants {
namespace {

bool is_scope_char(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

}  // namespace

std::optional<ScopeSet> parse_scope(std::string_view text) {
  ScopeSet out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(' ', start);
    const std::string_view token =
        text.substr(start, end == std::string_view::npos ? end : end - start);
    if (token.empty()) return std::nullopt;
    if (!std::all_of(token.begin(), token.end(),
                     [](char c) { return is_scope_char(static_cast<unsigned char>(c)); })) {
      return std::nullopt;
    }
    out.emplace(token);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string format_scope(const ScopeSet& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

bool is_admin_scope(std::string_view scope) {
  return scope.substr(0, kAdminScopePrefix.size()) == kAdminScopePrefix;
}

bool is_subset(const ScopeSet& requested, const ScopeSet& allowed) {
  return std::includes(allowed.begin(), allowed.end(), requested.begin(), requested.end());
}

ScopeSet to_scope_set(const std::vector<std::string>& scopes) {
  return ScopeSet(scopes.begin(), scopes.end());
}

}  // namespace keyward::grants
