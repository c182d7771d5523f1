#include "storage/mail_request_repository.h"

#include <algorithm>
#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
constexpr std::array kStatements{
    // Serialises the requests of one key until the transaction ends (the key's hash as a
    // transaction advisory lock: no row to lock before the first request).
    detail::PreparedStatement{
        "mail_requests_lock", "SELECT pg_advisory_xact_lock(hashtextextended($1, 12))"},
    detail::PreparedStatement{
        "mail_requests_count",
        "SELECT count(*) FROM mail_requests WHERE key = $1 AND requested_at > " SQL_TS(2)},
    detail::PreparedStatement{
        "mail_requests_insert",
        "INSERT INTO mail_requests (key, requested_at) VALUES ($1, " SQL_TS(2) ")"},
};
// clang-format on

}  // namespace

namespace detail {
std::span<const PreparedStatement> mail_request_repository_statements() {
  return kStatements;
}
}  // namespace detail

MailRequestRepository::MailRequestRepository(Database& database) : pool_(database.pool()) {}

Result<bool, StorageError> MailRequestRepository::try_record(const std::vector<std::string>& keys,
                                                             uint32_t limit, TimePoint since,
                                                             TimePoint now) {
  // Locked in key order, so two requests sharing keys cannot deadlock.
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return pool_.transact([&](pqxx::work& tx) {
    for (const auto& key : sorted) tx.exec_prepared("mail_requests_lock", key);
    for (const auto& key : sorted) {
      const auto n =
          tx.exec_prepared1("mail_requests_count", key, to_micros(since))[0].as<long long>();
      if (n >= static_cast<long long>(limit)) return false;
    }
    for (const auto& key : sorted) tx.exec_prepared("mail_requests_insert", key, to_micros(now));
    return true;
  });
}

Result<int64_t, StorageError> MailRequestRepository::count(std::string_view key, TimePoint since) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return static_cast<int64_t>(
            tx.exec_prepared1("mail_requests_count", std::string(key), to_micros(since))[0]
                .as<long long>());
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
