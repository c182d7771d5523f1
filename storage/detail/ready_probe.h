#pragma once
// Internal to storage/: the readiness check behind Database::check_ready().
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "storage/detail/libpq.h"

namespace keyward::storage::detail {

class ReadyProbe {
 public:
  ReadyProbe(std::string conninfo, std::chrono::seconds budget)
      : conninfo_(std::move(conninfo)), budget_(budget) {}

  // nullopt when SELECT 1 answered in time; otherwise a short reason. A failed probe
  // drops its connection, so the next call starts from a fresh connect.
  [[nodiscard]] std::optional<std::string> check();

 private:
  [[nodiscard]] std::optional<std::string> query(std::chrono::steady_clock::time_point deadline);

  const std::string conninfo_;
  const std::chrono::seconds budget_;
  std::mutex mutex_;
  PgConnPtr connection_;
};

}  // namespace keyward::storage::detail
