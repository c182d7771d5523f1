#include "storage/detail/ready_probe.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

namespace keyward::storage::detail {

std::optional<std::string> ReadyProbe::check() {
  std::lock_guard lock(mutex_);
  const auto start = std::chrono::steady_clock::now();
  // A kept connection may have died since the last check (server restart, idle session
  // timeout) without libpq knowing yet: if it fails, try once more on a fresh one, so a
  // healthy database never looks unready.
  const bool reused = connection_ && PQstatus(connection_.get()) == CONNECTION_OK;
  for (bool fresh = !reused;; fresh = true) {
    if (fresh) {
      // Blocking, bounded by connect_timeout (set in the conninfo by Database::open).
      connection_.reset(PQconnectdb(conninfo_.c_str()));
      silence_notices(connection_.get());
      if (!connection_ || PQstatus(connection_.get()) != CONNECTION_OK) {
        std::string reason =
            "database unreachable: " + (connection_ ? first_line(PQerrorMessage(connection_.get()))
                                                    : std::string("out of memory"));
        connection_.reset();
        return reason;
      }
    }
    // Whatever connecting took, the query itself gets at least a short moment.
    const auto deadline = std::max(
        start + budget_, std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    auto reason = query(deadline);
    if (!reason) return std::nullopt;
    // Only a connection found closed earns the retry; a slow answer does not.
    const bool closed = PQstatus(connection_.get()) == CONNECTION_BAD;
    connection_.reset();
    if (fresh || !closed) return reason;
  }
}

std::optional<std::string> ReadyProbe::query(std::chrono::steady_clock::time_point deadline) {
  PGconn* connection = connection_.get();
  if (PQsendQuery(connection, "SELECT 1") == 0) {
    return "database unreachable: " + first_line(PQerrorMessage(connection));
  }
  // Wait for the answer with a deadline: a server that accepted the connection but hangs
  // must not hang the health endpoint. PQgetResult is only called when it will not block.
  std::optional<std::string> reason;
  bool answered = false;
  for (;;) {
    if (PQconsumeInput(connection) == 0) {
      return "database unreachable: " + first_line(PQerrorMessage(connection));
    }
    if (PQisBusy(connection) == 0) {
      PgResultPtr result(PQgetResult(connection));
      if (!result) break;  // the query is complete
      if (PQresultStatus(result.get()) == PGRES_TUPLES_OK && PQntuples(result.get()) == 1) {
        answered = true;
      } else if (!reason) {
        reason = "database refused SELECT 1: " + first_line(PQresultErrorMessage(result.get()));
      }
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return "database did not answer within " + std::to_string(budget_.count()) + " s";
    }
    pollfd descriptor{PQsocket(connection), POLLIN, 0};
    if (poll(&descriptor, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      return "database unreachable: poll failed";
    }
  }
  if (!reason && !answered) reason = "database returned no answer to SELECT 1";
  return reason;
}

}  // namespace keyward::storage::detail
