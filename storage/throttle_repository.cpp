#include "storage/throttle_repository.h"

#include <algorithm>
#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/text_array.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
#define THROTTLE_COLUMNS \
  "key, failures, " SQL_MICROS("last_failure_at") ", " SQL_MICROS("blocked_until")

constexpr std::array kStatements{
    detail::PreparedStatement{
        "throttle_find",
        "SELECT " THROTTLE_COLUMNS " FROM login_throttle WHERE key = ANY($1::text[])"},
    // One atomic upsert: concurrent failures on one key each count. A key whose last
    // failure is older than $3 starts again from 1, unblocked.
    detail::PreparedStatement{
        "throttle_count_failure",
        "INSERT INTO login_throttle AS t (key, failures, last_failure_at)"
        " VALUES ($1, 1, " SQL_TS(2) ")"
        " ON CONFLICT (key) DO UPDATE SET"
        " failures = CASE WHEN t.last_failure_at < " SQL_TS(3) " THEN 1 ELSE t.failures + 1 END,"
        " blocked_until = CASE WHEN t.last_failure_at < " SQL_TS(3)
        "   THEN NULL ELSE t.blocked_until END,"
        " last_failure_at = EXCLUDED.last_failure_at"
        " RETURNING " THROTTLE_COLUMNS},
    // GREATEST ignores NULL: the longer of the stored and the new block wins.
    detail::PreparedStatement{
        "throttle_block",
        "UPDATE login_throttle SET blocked_until = GREATEST(blocked_until, " SQL_TS(2) ")"
        " WHERE key = $1 RETURNING " THROTTLE_COLUMNS},
    // Locks the key's row for the transaction, creating it (with no failures) when
    // missing; the no-op update is what takes the lock on an existing row.
    detail::PreparedStatement{
        "throttle_lock",
        "INSERT INTO login_throttle AS t (key, failures, last_failure_at)"
        " VALUES ($1, 0, " SQL_TS(2) ") ON CONFLICT (key) DO UPDATE SET failures = t.failures"
        " RETURNING " THROTTLE_COLUMNS},
    detail::PreparedStatement{
        "throttle_uncount",
        "UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE key = $1"},
    detail::PreparedStatement{"throttle_clear", "DELETE FROM login_throttle WHERE key = $1"},
    detail::PreparedStatement{
        "throttle_prune",
        "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle"
        " WHERE last_failure_at < " SQL_TS(2)
        " AND (blocked_until IS NULL OR blocked_until <= " SQL_TS(1) ") LIMIT $3)"},
};
// clang-format on

#undef THROTTLE_COLUMNS

ThrottleRecord read_record(const pqxx::row& row) {
  ThrottleRecord record;
  record.key = row[0].as<std::string>();
  record.failures = row[1].as<int>();
  record.last_failure_at = detail::read_time(row[2]);
  record.blocked_until = detail::read_optional_time(row[3]);
  return record;
}

ThrottleRecord count_failure(
    pqxx::work& tx, const std::string& key, TimePoint now, TimePoint forget_before,
    const std::function<std::optional<TimePoint>(int failures)>& block_until) {
  auto record = read_record(
      tx.exec_prepared1("throttle_count_failure", key, to_micros(now), to_micros(forget_before)));
  const auto until = block_until ? block_until(record.failures) : std::nullopt;
  if (until && (!record.blocked_until || *record.blocked_until < *until)) {
    record = read_record(tx.exec_prepared1("throttle_block", key, to_micros(*until)));
  }
  return record;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> throttle_repository_statements() {
  return kStatements;
}
}  // namespace detail

ThrottleRepository::ThrottleRepository(Database& database) : pool_(database.pool()) {}

Result<std::vector<ThrottleRecord>, StorageError> ThrottleRepository::find(
    const std::vector<std::string>& keys) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("throttle_find", detail::text_array_literal(keys)),
                                read_record);
      },
      detail::Retry::OnceIfBroken);
}

Result<ThrottleRecord, StorageError> ThrottleRepository::record_failure(
    std::string_view key, TimePoint now, TimePoint forget_before,
    const std::function<std::optional<TimePoint>(int failures)>& block_until) {
  return pool_.transact([&](pqxx::work& tx) {
    return count_failure(tx, std::string(key), now, forget_before, block_until);
  });
}

Result<ThrottleRepository::AttemptOutcome, StorageError> ThrottleRepository::count_attempt(
    std::vector<AttemptKey> keys, TimePoint now) {
  std::sort(keys.begin(), keys.end(),
            [](const AttemptKey& a, const AttemptKey& b) { return a.key < b.key; });
  return pool_.transact([&](pqxx::work& tx) {
    AttemptOutcome outcome;
    for (const auto& k : keys) {
      outcome.records.push_back(
          read_record(tx.exec_prepared1("throttle_lock", k.key, to_micros(now))));
    }
    for (const auto& record : outcome.records) {
      if (record.blocked_until && *record.blocked_until > now) return outcome;
    }
    outcome.records.clear();
    for (const auto& k : keys) {
      outcome.records.push_back(count_failure(tx, k.key, now, k.forget_before, k.block_until));
    }
    outcome.counted = true;
    return outcome;
  });
}

Result<Unit, StorageError> ThrottleRepository::uncount(std::string_view key) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) { tx.exec_prepared("throttle_uncount", std::string(key)); });
}

Result<Unit, StorageError> ThrottleRepository::clear(std::string_view key) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) { tx.exec_prepared("throttle_clear", std::string(key)); });
}

Result<std::size_t, StorageError> ThrottleRepository::prune(TimePoint now, TimePoint forget_before,
                                                            std::size_t batch) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return static_cast<std::size_t>(tx.exec_prepared("throttle_prune", to_micros(now),
                                                         to_micros(forget_before),
                                                         static_cast<long long>(batch))
                                            .affected_rows());
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
