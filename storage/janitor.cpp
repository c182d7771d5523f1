#include "storage/janitor.h"

#include <array>
#include <string_view>

#include "storage/detail/pool.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// Held for a whole run, on the run's one connection ("keywardJ").
constexpr long long kJanitorLockKey = 0x6b6579776172644aLL;

// Deletes up to $2 rows of `table` (key column `key`) matching `due`, at $1.
#define BATCH(table, key, due) \
  "DELETE FROM " table " WHERE " key " IN (SELECT " key " FROM " table " WHERE " due " LIMIT $2)"

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{"janitor_lock", "SELECT pg_try_advisory_lock($1::bigint)"},
    detail::PreparedStatement{"janitor_unlock", "SELECT pg_advisory_unlock($1::bigint)"},
    detail::PreparedStatement{
        "janitor_codes",
        BATCH("authorization_codes", "code_hash", "expires_at <= " SQL_TS(1))},
    detail::PreparedStatement{
        "janitor_refresh_tokens",
        BATCH("refresh_tokens", "token_hash", "expires_at <= " SQL_TS(1))},
    detail::PreparedStatement{
        "janitor_revoked_access_tokens",
        BATCH("revoked_access_tokens", "jti", "expires_at <= " SQL_TS(1))},
    // Revoked ones through the partial index of migration 0005, expired ones through
    // grants_expires_at.
    detail::PreparedStatement{
        "janitor_grants",
        "DELETE FROM grants WHERE id IN ("
        "  (SELECT id FROM grants WHERE revoked_at IS NOT NULL LIMIT $2)"
        "  UNION (SELECT id FROM grants WHERE expires_at <= " SQL_TS(1) " LIMIT $2)"
        "  LIMIT $2)"},
    detail::PreparedStatement{
        "janitor_browser_sessions",
        BATCH("browser_sessions", "id_hash", "expires_at <= " SQL_TS(1))},
    // $1 is now - forget_after here; $3 is now.
    detail::PreparedStatement{
        "janitor_login_throttle",
        BATCH("login_throttle", "key",
              "last_failure_at <= " SQL_TS(1)
              " AND (blocked_until IS NULL OR blocked_until <= " SQL_TS(3) ")")},
    detail::PreparedStatement{
        "janitor_account_links",
        BATCH("account_links", "token_hash", "expires_at <= " SQL_TS(1))},
    // $1 is now - an hour: the mail limits count the last hour only. No key column of its
    // own, so rows are named by ctid.
    detail::PreparedStatement{
        "janitor_mail_requests", BATCH("mail_requests", "ctid", "requested_at <= " SQL_TS(1))},
    // $1 is now - a day: an unsent mail that old holds only dead links (they live 24 hours
    // at most). Delivery gives up within about two hours; this catches what waits with no
    // SMTP server configured.
    detail::PreparedStatement{
        "janitor_mail_outbox", BATCH("mail_outbox", "id", "created_at <= " SQL_TS(1))},
    // Initial access tokens (migration 0010) past their expiry or with every use spent.
    detail::PreparedStatement{
        "janitor_registration_tokens",
        BATCH("registration_tokens", "id",
              "expires_at <= " SQL_TS(1) " OR (max_uses IS NOT NULL AND uses >= max_uses)")},
    detail::PreparedStatement{
        "janitor_federation_flows",
        BATCH("federation_flows", "key_hash", "expires_at <= " SQL_TS(1))},
    // $1 is now - the retention (migration 0011; through events_occurred_at).
    detail::PreparedStatement{
        "janitor_events", BATCH("events", "id", "occurred_at < " SQL_TS(1))},
};
// clang-format on

#undef BATCH

}  // namespace

namespace detail {
std::span<const PreparedStatement> janitor_statements() {
  return kStatements;
}
}  // namespace detail

Janitor::Janitor(Database& database, JanitorOptions options)
    : pool_(database.pool()), options_(options) {}

Result<JanitorCounts, StorageError> Janitor::run_once(TimePoint now) {
  const auto now_micros = to_micros(now);
  const auto forget_micros = to_micros(now - options_.throttle_forget_after);
  const auto batch = static_cast<long long>(options_.batch_size);
  // One connection for the whole run: the advisory lock belongs to the session, and each
  // DELETE commits on its own (nontransaction), so no lock is held beyond one batch.
  return pool_.run([&](pqxx::nontransaction& tx) {
    JanitorCounts counts;
    if (!tx.exec_prepared1("janitor_lock", kJanitorLockKey)[0].as<bool>()) return counts;
    counts.ran = true;
    try {
      auto drain = [&](std::string_view statement, auto... extra) {
        std::size_t total = 0;
        for (std::size_t i = 0; i < options_.max_batches; ++i) {
          const auto n = static_cast<std::size_t>(
              tx.exec_prepared(std::string(statement), extra...).affected_rows());
          total += n;
          if (n < options_.batch_size) break;
        }
        return total;
      };
      // Leaves first, so deleting a grant cascades to as few rows as possible.
      counts.authorization_codes = drain("janitor_codes", now_micros, batch);
      counts.refresh_tokens = drain("janitor_refresh_tokens", now_micros, batch);
      counts.revoked_access_tokens = drain("janitor_revoked_access_tokens", now_micros, batch);
      counts.grants = drain("janitor_grants", now_micros, batch);
      counts.browser_sessions = drain("janitor_browser_sessions", now_micros, batch);
      counts.login_throttle = drain("janitor_login_throttle", forget_micros, batch, now_micros);
      counts.account_links = drain("janitor_account_links", now_micros, batch);
      counts.mail_requests =
          drain("janitor_mail_requests", to_micros(now - std::chrono::hours(1)), batch);
      counts.mail_outbox =
          drain("janitor_mail_outbox", to_micros(now - std::chrono::hours(24)), batch);
      counts.registration_tokens = drain("janitor_registration_tokens", now_micros, batch);
      counts.federation_flows = drain("janitor_federation_flows", now_micros, batch);
      counts.events = drain("janitor_events", to_micros(now - options_.event_retention), batch);
    } catch (...) {
      // The connection goes back to the pool: it must not keep the lock. If the
      // connection itself broke, PostgreSQL has released the lock already.
      try {
        tx.exec_prepared("janitor_unlock", kJanitorLockKey);
      } catch (...) {  // NOLINT(bugprone-empty-catch): the first error is the one to report
      }
      throw;
    }
    tx.exec_prepared("janitor_unlock", kJanitorLockKey);
    return counts;
  });
}

}  // namespace keyward::storage
