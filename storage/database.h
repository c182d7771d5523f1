#pragma once
// The process's handle on PostgreSQL: a bounded pool of connections opened lazily,
// each with every repository statement prepared once (DESIGN.md "libpqxx 6.4"), a
// readiness probe for /health/ready, and NOTIFY for cross-instance cache invalidation.
// libpqxx stays inside storage/: repositories reach the pool through detail/pool.h.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/storage_error.h"

namespace keyward::storage {

namespace detail {
class Pool;
class ReadyProbe;
}  // namespace detail

struct DatabaseOptions {
  // Upper bound on open connections; callers wait (up to acquire_timeout) for a free one.
  std::size_t max_connections = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  // Server-side bound on every pooled statement (lock waits included), unless the
  // conninfo's `options` already sets statement_timeout.
  std::chrono::milliseconds statement_timeout{5000};
  // check_ready's budget: connect_timeout (unless the conninfo sets one) and the wait for
  // the answer to SELECT 1.
  std::chrono::seconds ready_timeout{2};
};

// The pool as metrics see it: a moment's figures and counts since the start.
struct PoolStats {
  std::size_t open = 0;                // connections open (idle, lent or being opened)
  std::size_t in_use = 0;              // lent to a caller now
  std::size_t max = 0;                 // DatabaseOptions::max_connections
  std::uint64_t connect_failures = 0;  // a new connection could not be opened
  std::uint64_t exhausted = 0;         // no connection became free within acquire_timeout
  std::uint64_t connections_lost = 0;  // a connection broke during a call
  std::uint64_t timeouts = 0;          // statement_timeout or lock_timeout cancelled a statement
};

class Database {
 public:
  // Parses the conninfo (key=value or postgresql:// URL) without connecting: the database
  // may be down at start and come up later. The error says what is wrong with the string.
  [[nodiscard]] static Result<Database, std::string> open(std::string_view conninfo,
                                                          DatabaseOptions options = {});

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // nullopt when PostgreSQL answers SELECT 1 within ready_timeout, else a short reason
  // ("database unreachable: connection refused ..."). Uses a connection of its own, so a
  // busy pool never makes the instance look unready; after a failure the next call
  // reconnects, so it recovers by itself once PostgreSQL is back.
  [[nodiscard]] std::optional<std::string> check_ready();

  // pg_notify(channel, payload): delivered to every Listener on `channel` (in any
  // instance) once sent. The payload must stay under 8000 bytes.
  [[nodiscard]] Result<Unit, StorageError> notify(std::string_view channel,
                                                  std::string_view payload);

  // How many connections to this database carry `application_name`: the listeners an
  // announcement waits for (grants/client_announcement.h).
  [[nodiscard]] Result<size_t, StorageError> count_connections(std::string_view application_name);

  // For metrics; takes the pool's lock briefly.
  [[nodiscard]] PoolStats pool_stats() const;

  // The conninfo with its password masked, for logs.
  [[nodiscard]] std::string describe() const;

  // For repositories inside storage/ (the type is only complete in detail/pool.h).
  [[nodiscard]] detail::Pool& pool() { return *pool_; }

 private:
  Database(std::string redacted, std::unique_ptr<detail::Pool> pool,
           std::unique_ptr<detail::ReadyProbe> probe);

  std::string redacted_;
  std::unique_ptr<detail::Pool> pool_;
  std::unique_ptr<detail::ReadyProbe> probe_;
};

}  // namespace keyward::storage
