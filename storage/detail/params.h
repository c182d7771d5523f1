#pragma once
// Internal to storage/: parameter helpers for libpqxx 6.4, which has no std::optional
// parameters (a NULL is passed as a null const char*).
#include <optional>
#include <string>

#include "common/clock.h"
#include "storage/detail/sql_time.h"

namespace keyward::storage::detail {

// Keeps the text alive for the duration of the statement call it is an argument of.
class NullableText {
 public:
  explicit NullableText(std::optional<std::string> value) : value_(std::move(value)) {}
  [[nodiscard]] const char* get() const { return value_ ? value_->c_str() : nullptr; }

 private:
  std::optional<std::string> value_;
};

[[nodiscard]] inline NullableText nullable_micros(const std::optional<TimePoint>& t) {
  return NullableText(t ? std::optional<std::string>(std::to_string(to_micros(*t))) : std::nullopt);
}

}  // namespace keyward::storage::detail
