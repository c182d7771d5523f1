#pragma once
// Internal to storage/: text[] parameters and columns for libpqxx 6.4, which passes
// parameters as text and has no container conversions. Every element is written
// double-quoted with '"' and '\' escaped (PostgreSQL "Array Value Input"), so empty
// strings, spaces, commas and the word NULL all round-trip as plain text.
#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace keyward::storage::detail {

[[nodiscard]] inline std::string text_array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// A one-dimensional text[] column; the tables forbid NULL elements (CHECK), so none are
// expected, and any would be skipped.
[[nodiscard]] inline std::vector<std::string> read_text_array(const pqxx::field& field) {
  std::vector<std::string> values;
  if (field.is_null()) return values;
  auto parser = field.as_array();
  for (auto step = parser.get_next(); step.first != pqxx::array_parser::done;
       step = parser.get_next()) {
    if (step.first == pqxx::array_parser::string_value) values.push_back(std::move(step.second));
  }
  return values;
}

}  // namespace keyward::storage::detail
