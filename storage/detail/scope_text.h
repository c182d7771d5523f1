#pragma once
// Internal to storage/: scope lists as one space-joined text parameter. Scope tokens never
// contain a space (RFC 6749 §3.3), so the encoding is exact; SQL turns it back into a
// text[] with string_to_array($n, ' ') (the empty string is the empty array) and reads
// one with array_to_string(col, ' ').
#include <string>
#include <vector>

namespace keyward::storage::detail {

[[nodiscard]] inline std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

[[nodiscard]] inline std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace keyward::storage::detail
