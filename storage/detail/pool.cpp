#include "storage/detail/pool.h"

#include <string_view>

#include "storage/detail/statements.h"

namespace keyward::storage::detail {
namespace {

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

// PostgreSQL names the constraint in its message: ... violates unique constraint "x".
std::string constraint_in(std::string_view message) {
  const std::string_view marker = "constraint \"";
  const auto start = message.find(marker);
  if (start == std::string_view::npos) return {};
  const auto begin = start + marker.size();
  const auto end = message.find('"', begin);
  if (end == std::string_view::npos) return {};
  return std::string(message.substr(begin, end - begin));
}

Failure failure(StorageErrorCode code, std::string_view message, bool lost = false) {
  return Failure{StorageError{code, trimmed(message), {}}, lost, false};
}

Failure constraint_failure(StorageErrorCode code, const std::exception& e) {
  Failure f = failure(code, e.what());
  f.error.constraint = constraint_in(e.what());
  return f;
}

}  // namespace

Failure classify_current_exception() {
  try {
    throw;
  } catch (const PoolExhausted& e) {
    return failure(StorageErrorCode::Unavailable, e.what());
  } catch (const pqxx::broken_connection& e) {
    return failure(StorageErrorCode::Unavailable, e.what(), true);
  } catch (const pqxx::in_doubt_error& e) {
    Failure f = failure(StorageErrorCode::Unavailable, e.what(), true);
    f.outcome_unknown = true;
    return f;
  } catch (const pqxx::statement_completion_unknown& e) {
    Failure f = failure(StorageErrorCode::Unavailable, e.what(), true);
    f.outcome_unknown = true;
    return f;
  } catch (const pqxx::unique_violation& e) {
    return constraint_failure(StorageErrorCode::UniqueViolation, e);
  } catch (const pqxx::foreign_key_violation& e) {
    return constraint_failure(StorageErrorCode::ForeignKeyViolation, e);
  } catch (const pqxx::check_violation& e) {
    return constraint_failure(StorageErrorCode::CheckViolation, e);
  } catch (const pqxx::not_null_violation& e) {
    return constraint_failure(StorageErrorCode::CheckViolation, e);
  } catch (const pqxx::transaction_rollback& e) {
    // serialization_failure, deadlock_detected: the whole transaction may be retried.
    return failure(StorageErrorCode::Conflict, e.what());
  } catch (const pqxx::unexpected_rows& e) {
    return failure(StorageErrorCode::UnexpectedRows, e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    // 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout).
    if (state == "57014" || state == "55P03") return failure(StorageErrorCode::Timeout, e.what());
    // Class 22 (data_exception): a value PostgreSQL will not take, such as invalid UTF-8
    // (22021) or an out-of-range number. It came from outside: the caller's fault, not ours.
    if (state.starts_with("22")) return failure(StorageErrorCode::InvalidInput, e.what());
    // Class 08 (connection exception) and 57P01..57P03 (the server is shutting down or
    // cannot accept connections): this connection is finished.
    if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") {
      return failure(StorageErrorCode::Unavailable, e.what(), true);
    }
    return failure(StorageErrorCode::Failed, e.what());
  } catch (const std::exception& e) {
    return failure(StorageErrorCode::Failed, e.what());
  } catch (...) {
    return failure(StorageErrorCode::Failed, "unknown exception");
  }
}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
    broken_ = std::exchange(other.broken_, false);
  }
  return *this;
}

void Lease::release() noexcept {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->give_back(std::move(connection_), broken_);
  }
  pool_ = nullptr;
  connection_.reset();
  broken_ = false;
}

Pool::Pool(std::string conninfo, std::size_t max_connections,
           std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)),
      max_connections_(max_connections == 0 ? 1 : max_connections),
      acquire_timeout_(acquire_timeout) {}

Pool::~Pool() = default;

std::size_t Pool::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

PoolStats Pool::stats() const {
  PoolStats s;
  {
    std::lock_guard lock(mutex_);
    s.open = open_;
    s.in_use = open_ - idle_.size();
  }
  s.max = max_connections_;
  s.connect_failures = connect_failures_.load(std::memory_order_relaxed);
  s.exhausted = exhausted_.load(std::memory_order_relaxed);
  s.connections_lost = connections_lost_.load(std::memory_order_relaxed);
  s.timeouts = timeouts_.load(std::memory_order_relaxed);
  return s;
}

void Pool::count(const Failure& failure, bool had_connection) noexcept {
  if (failure.connection_lost && had_connection) {
    connections_lost_.fetch_add(1, std::memory_order_relaxed);
  }
  if (failure.error.code == StorageErrorCode::Timeout) {
    timeouts_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::unique_ptr<pqxx::connection> Pool::connect() {
  auto connection = std::make_unique<pqxx::connection>(conninfo_);
  for (const PreparedStatement& statement : all_statements()) {
    const std::string name(statement.name);
    connection->prepare(name, std::string(statement.sql));
    // Now rather than at first use, so a broken statement fails loudly and early.
    connection->prepare_now(name);
  }
  return connection;
}

Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    if (open_ < max_connections_) {
      ++open_;
      lock.unlock();
      try {
        return Lease(this, connect());
      } catch (...) {
        connect_failures_.fetch_add(1, std::memory_order_relaxed);
        lock.lock();
        --open_;
        returned_.notify_one();
        throw;
      }
    }
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_connections_) {
      exhausted_.fetch_add(1, std::memory_order_relaxed);
      throw PoolExhausted("no database connection became free within " +
                          std::to_string(acquire_timeout_.count()) + " ms");
    }
  }
}

void Pool::give_back(std::unique_ptr<pqxx::connection> connection, bool broken) noexcept {
  std::vector<std::unique_ptr<pqxx::connection>> to_close;
  {
    std::lock_guard lock(mutex_);
    if (broken || !connection->is_open()) {
      to_close.push_back(std::move(connection));
      // The idle ones were most likely cut by the same event (a server restart): close
      // them too rather than let each caller discover it.
      for (auto& idle : idle_) to_close.push_back(std::move(idle));
      open_ -= to_close.size();
      idle_.clear();
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  returned_.notify_all();
  // Closing talks to the socket: outside the lock. pqxx's destructors do not throw.
  to_close.clear();
}

}  // namespace keyward::storage::detail
