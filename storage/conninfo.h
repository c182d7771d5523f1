#pragma once
// libpq connection settings, from either form libpq accepts:
//   "host=/path/run port=54329 dbname=keyward user=keyward"
//   "postgresql://keyward@localhost:54329/keyward?sslmode=require"
// Parsing is libpq's own (PQconninfoParse), so we accept exactly what libpq accepts.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace keyward::storage {

class ConnInfo {
 public:
  // The error is libpq's message, e.g. `invalid connection option "hots"`.
  [[nodiscard]] static Result<ConnInfo, std::string> parse(std::string_view text);

  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
  // Sets a setting libpq knows; returns false (and changes nothing) for an unknown key.
  bool set(std::string_view key, std::string value);
  // Sets it only when the text did not: the operator's explicit choice wins.
  bool set_default(std::string_view key, std::string value);

  // key='value' pairs, quoted and escaped for libpq.
  [[nodiscard]] std::string to_string() const;
  // The same with the password replaced, for logs and error messages.
  [[nodiscard]] std::string redacted() const;

 private:
  ConnInfo() = default;
  // Every keyword libpq knows, with the value set (or not) for each.
  std::vector<std::pair<std::string, std::optional<std::string>>> settings_;
};

// TCP keepalives and a user timeout for every connection we keep (libpq's keepalives,
// keepalives_idle, keepalives_interval, keepalives_count, tcp_user_timeout), each only
// where the operator set none. Behind a network partition a connection otherwise looks
// alive for the kernel's two hours (idle) or about fifteen minutes (unacknowledged
// data), and the worker waiting on it hangs that long; with these a dead peer is noticed
// within about a minute: idle connections after 30 s plus 3 probes 10 s apart, busy ones
// when data stays unacknowledged for 60 s. Unix-socket connections ignore them.
void set_tcp_keepalive_defaults(ConnInfo& info);

}  // namespace keyward::storage
