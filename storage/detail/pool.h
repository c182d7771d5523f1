#pragma once
// Internal to storage/: include only from storage .cpp files. It brings in libpqxx,
// which nothing above storage/ may see.
#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage::detail {

// Whether a failed call may run again on a fresh connection. Only for work that is
// harmless to repeat (reads, conditional updates): a write whose connection broke may
// or may not have committed.
enum class Retry { Never, OnceIfBroken };

// Thrown by Pool::acquire when every connection stays busy for acquire_timeout.
class PoolExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pool;

// A connection borrowed from the pool; goes back on destruction, unless it broke: libpqxx
// 6.4 cannot reactivate a broken connection reliably, so a broken one is closed and the
// next acquire opens a new one.
class Lease {
 public:
  Lease() = default;
  Lease(Pool* pool, std::unique_ptr<pqxx::connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  Lease(Lease&& other) noexcept { *this = std::move(other); }
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { release(); }

  [[nodiscard]] bool valid() const { return connection_ != nullptr; }
  [[nodiscard]] pqxx::connection& connection() { return *connection_; }
  void mark_broken() { broken_ = true; }

 private:
  void release() noexcept;

  Pool* pool_ = nullptr;
  std::unique_ptr<pqxx::connection> connection_;
  bool broken_ = false;
};

// What went wrong, and whether the connection is lost for good.
struct Failure {
  StorageError error;
  bool connection_lost = false;
  // The connection broke during COMMIT: the transaction may or may not have happened.
  bool outcome_unknown = false;
};

// Call only inside a catch block: maps the exception in flight (pqxx or not).
[[nodiscard]] Failure classify_current_exception();

class Pool {
 public:
  // `conninfo` is already normalised (timeouts, application_name); see database.cpp.
  Pool(std::string conninfo, std::size_t max_connections,
       std::chrono::milliseconds acquire_timeout);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool();

  // An idle connection, or a new one (prepared) when fewer than max are open, or the
  // first to come back within acquire_timeout. Throws PoolExhausted or pqxx errors.
  [[nodiscard]] Lease acquire();

  // Runs f(pqxx::work&) and commits when f returns: for statements that must be atomic.
  template <class F>
  [[nodiscard]] auto transact(F&& f, Retry retry = Retry::Never) {
    return execute<pqxx::work>(std::forward<F>(f), retry);
  }

  // Runs f(pqxx::nontransaction&): each statement commits on its own (single statements,
  // reads).
  template <class F>
  [[nodiscard]] auto run(F&& f, Retry retry = Retry::Never) {
    return execute<pqxx::nontransaction>(std::forward<F>(f), retry);
  }

  // Connections currently open (idle or lent), for tests and metrics.
  [[nodiscard]] std::size_t open_connections() const;
  [[nodiscard]] PoolStats stats() const;

 private:
  friend class Lease;

  template <class Tx, class F>
  auto execute(F&& f, Retry retry) {
    using Returned = std::invoke_result_t<F&, Tx&>;
    using Value = std::conditional_t<std::is_void_v<Returned>, Unit, Returned>;
    using Out = Result<Value, StorageError>;
    for (int attempt = 1;; ++attempt) {
      Lease lease;
      try {
        lease = acquire();
        Tx tx(lease.connection());
        if constexpr (std::is_void_v<Returned>) {
          f(tx);
          tx.commit();
          return Out(Unit{});
        } else {
          Value value = f(tx);
          tx.commit();
          return Out(std::move(value));
        }
      } catch (...) {
        Failure failure = classify_current_exception();
        count(failure, lease.valid());
        if (failure.connection_lost) lease.mark_broken();
        // A pooled connection may have died while idle (server restart, idle timeout):
        // one more try on a new one. A connection that could not even be opened is not
        // retried, nor is a lost COMMIT (its outcome is unknown).
        if (failure.connection_lost && !failure.outcome_unknown && lease.valid() &&
            retry == Retry::OnceIfBroken && attempt == 1) {
          continue;
        }
        return Out(err(std::move(failure.error)));
      }
    }
  }

  void give_back(std::unique_ptr<pqxx::connection> connection, bool broken) noexcept;
  // Counts a failure for stats(): a lost connection only when one was lent (a failed
  // connect() is counted in acquire()), a timeout by its error code.
  void count(const Failure& failure, bool had_connection) noexcept;
  [[nodiscard]] std::unique_ptr<pqxx::connection> connect();

  const std::string conninfo_;
  const std::size_t max_connections_;
  const std::chrono::milliseconds acquire_timeout_;

  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // idle + lent + being opened
  std::atomic<std::uint64_t> connect_failures_{0};
  std::atomic<std::uint64_t> exhausted_{0};
  std::atomic<std::uint64_t> connections_lost_{0};
  std::atomic<std::uint64_t> timeouts_{0};
};

}  // namespace keyward::storage::detail
