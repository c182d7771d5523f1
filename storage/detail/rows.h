#pragma once
// Internal to storage/: reading libpqxx 6.4 result rows into records. Each repository
// keeps its own column order (its read_* function); what every one of them does with a
// column or with a result of at most one row lives here once.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/clock.h"
#include "storage/detail/sql_time.h"

namespace keyward::storage::detail {

// A column written as SQL_MICROS(col).
[[nodiscard]] inline TimePoint read_time(const pqxx::field& field) {
  return from_micros(field.as<long long>());
}

[[nodiscard]] inline std::optional<TimePoint> read_optional_time(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return read_time(field);
}

[[nodiscard]] inline std::optional<std::string> read_optional_text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

// A bytea column, as raw bytes.
[[nodiscard]] inline std::string read_bytes(const pqxx::field& field) {
  return pqxx::binarystring(field).str();
}

[[nodiscard]] inline std::optional<std::string> read_optional_bytes(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return read_bytes(field);
}

// The first row, read by `read`; none when the statement returned no row.
template <typename Read>
[[nodiscard]] auto read_first(const pqxx::result& rows, Read read)
    -> std::optional<std::invoke_result_t<Read, const pqxx::row&>> {
  if (rows.empty()) return std::nullopt;
  return read(rows[0]);
}

// Every row, in order, each read by `read`.
template <typename Read>
[[nodiscard]] auto read_all(const pqxx::result& rows, Read read)
    -> std::vector<std::invoke_result_t<Read, const pqxx::row&>> {
  std::vector<std::invoke_result_t<Read, const pqxx::row&>> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(read(row));
  return out;
}

}  // namespace keyward::storage::detail
