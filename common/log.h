#pragma once
// Structured logging: one JSON object per line on stdout, written whole under a lock
// so lines from several threads never interleave. Never pass tokens, secrets, codes,
// cookies, passwords, query strings or bodies as fields (Observability in DESIGN.md).
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace keyward {

enum class LogLevel { Debug, Info, Warn, Error };

[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text);
[[nodiscard]] std::string_view log_level_name(LogLevel level);

// RFC 3339 UTC with milliseconds: 2026-01-31T12:00:00.123Z
[[nodiscard]] std::string format_utc_time(TimePoint t);

class Logger {
 public:
  using Fields = nlohmann::ordered_json;

  explicit Logger(LogLevel min_level = LogLevel::Info, std::FILE* out = stdout)
      : min_level_(min_level), out_(out) {}

  [[nodiscard]] bool enabled(LogLevel level) const { return level >= min_level_; }

  // {"time":…,"level":…,"msg":…, fields…}
  void log(LogLevel level, std::string_view msg, const Fields& fields = Fields::object());
  void debug(std::string_view msg, const Fields& fields = Fields::object()) {
    log(LogLevel::Debug, msg, fields);
  }
  void info(std::string_view msg, const Fields& fields = Fields::object()) {
    log(LogLevel::Info, msg, fields);
  }
  void warn(std::string_view msg, const Fields& fields = Fields::object()) {
    log(LogLevel::Warn, msg, fields);
  }
  void error(std::string_view msg, const Fields& fields = Fields::object()) {
    log(LogLevel::Error, msg, fields);
  }

 private:
  LogLevel min_level_;
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace keyward
