#pragma once
// Internal to storage/: RAII over the few libpq objects we use directly (the readiness
// probe and the LISTEN connection need timeouts that libpqxx 6.4 does not offer).
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

namespace keyward::storage::detail {

struct PgConnFree {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnFree>;

struct PgResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultFree>;

// libpq prints server notices (and the FATAL a terminated session receives) on stderr by
// default; our logs are JSON lines, and these connections report failures themselves.
inline void silence_notices(PGconn* connection) {
  if (connection != nullptr)
    PQsetNoticeProcessor(
        connection, [](void*, const char*) {}, nullptr);
}

// libpq's messages are multi-line ("...: Connection refused\n\tIs the server running...");
// the first line is the useful part for a log line or a readiness reason.
[[nodiscard]] inline std::string first_line(const char* message) {
  if (message == nullptr) return "unknown error";
  std::string_view text(message);
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return text.empty() ? std::string("unknown error") : std::string(text);
}

}  // namespace keyward::storage::detail
