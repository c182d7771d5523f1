#include "storage/key_repository.h"

#include <array>

#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::nullable_micros;
using detail::to_micros;

// Serialises every key state change across instances ("keywardK"); held until COMMIT.
constexpr long long kKeysLockKey = 0x6b6579776172644bLL;

// clang-format off
#define KEY_COLUMNS                                           \
  "kid, alg, state, public_jwk::text, private_key_sealed, "   \
  SQL_MICROS("created_at") ", " SQL_MICROS("activates_at") ", " \
  SQL_MICROS("retires_at") ", " SQL_MICROS("delete_after")

constexpr std::array kStatements{
    detail::PreparedStatement{"keys_list",
        "SELECT " KEY_COLUMNS " FROM signing_keys ORDER BY created_at, kid"},
    detail::PreparedStatement{
        "keys_insert",
        "INSERT INTO signing_keys (kid, alg, state, public_jwk, private_key_sealed, created_at,"
        " activates_at, retires_at, delete_after)"
        " VALUES ($1, $2, $3, $4::jsonb, $5, " SQL_TS(6) ", " SQL_TS(7) ", " SQL_TS(8) ","
        " " SQL_TS(9) ")"},
    detail::PreparedStatement{"keys_lock", "SELECT pg_advisory_xact_lock($1::bigint)"},
    detail::PreparedStatement{
        "keys_state_taken",
        "SELECT EXISTS (SELECT 1 FROM signing_keys WHERE alg = $1 AND state = $2)"},
    // The newest due next key of each algorithm wins.
    detail::PreparedStatement{
        "keys_due",
        "SELECT DISTINCT ON (alg) kid, alg FROM signing_keys"
        " WHERE state = 'next' AND activates_at <= " SQL_TS(1)
        " ORDER BY alg, activates_at DESC, created_at DESC, kid DESC"},
    // Retire first: the unique index on the active key is checked row by row.
    detail::PreparedStatement{
        "keys_retire_for",
        "UPDATE signing_keys SET state = 'retired', retires_at = " SQL_TS(3) ","
        " delete_after = " SQL_TS(4)
        " WHERE alg = $1 AND kid <> $2"
        " AND (state = 'active' OR (state = 'next' AND activates_at <= " SQL_TS(3) "))"
        " RETURNING kid"},
    detail::PreparedStatement{
        "keys_activate",
        "UPDATE signing_keys SET state = 'active' WHERE kid = $1 AND state = 'next' RETURNING kid"},
    // One signing key at a time: every active key older than the newest one retires.
    detail::PreparedStatement{
        "keys_retire_superseded",
        "UPDATE signing_keys SET state = 'retired', retires_at = " SQL_TS(1) ","
        " delete_after = " SQL_TS(2)
        " WHERE state = 'active' AND (activates_at, created_at, kid) <"
        " (SELECT activates_at, created_at, kid FROM signing_keys WHERE state = 'active'"
        " ORDER BY activates_at DESC, created_at DESC, kid DESC LIMIT 1)"
        " RETURNING kid"},
    detail::PreparedStatement{
        "keys_delete_expired",
        "DELETE FROM signing_keys WHERE state = 'retired' AND delete_after <= " SQL_TS(1)},
};
// clang-format on

#undef KEY_COLUMNS

KeyRecord read_key(const pqxx::row& row) {
  KeyRecord key;
  key.kid = row[0].as<std::string>();
  key.alg = row[1].as<std::string>();
  // The table's CHECK allows only the three states.
  key.state = parse_key_state(row[2].as<std::string>()).value_or(KeyState::Retired);
  key.public_jwk = row[3].as<std::string>();
  key.private_key_sealed = detail::read_bytes(row[4]);
  key.created_at = detail::read_time(row[5]);
  key.activates_at = detail::read_time(row[6]);
  key.retires_at = detail::read_optional_time(row[7]);
  key.delete_after = detail::read_optional_time(row[8]);
  return key;
}

void insert_row(pqxx::transaction_base& tx, const KeyRecord& key) {
  tx.exec_prepared("keys_insert", key.kid, key.alg, std::string(to_string(key.state)),
                   key.public_jwk, pqxx::binarystring(key.private_key_sealed),
                   to_micros(key.created_at), to_micros(key.activates_at),
                   nullable_micros(key.retires_at).get(), nullable_micros(key.delete_after).get());
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> key_repository_statements() {
  return kStatements;
}
}  // namespace detail

KeyRepository::KeyRepository(Database& database) : pool_(database.pool()) {}

Result<std::vector<KeyRecord>, StorageError> KeyRepository::list() {
  return pool_.run(
      [](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("keys_list"), read_key);
      },
      detail::Retry::OnceIfBroken);
}

Result<Unit, StorageError> KeyRepository::insert(const KeyRecord& key) {
  return pool_.run([&](pqxx::nontransaction& tx) { insert_row(tx, key); });
}

Result<bool, StorageError> KeyRepository::insert_exclusive(const KeyRecord& key) {
  return pool_.transact([&](pqxx::work& tx) {
    tx.exec_prepared("keys_lock", kKeysLockKey);
    const bool taken =
        tx.exec_prepared1("keys_state_taken", key.alg, std::string(to_string(key.state)))[0]
            .as<bool>();
    if (taken) return false;
    insert_row(tx, key);
    return true;
  });
}

Result<KeyChanges, StorageError> KeyRepository::promote_due(TimePoint now,
                                                            std::chrono::seconds keep_retired_for) {
  // Safe to retry on a fresh connection: under the lock it re-reads what is due.
  return pool_.transact(
      [&](pqxx::work& tx) {
        tx.exec_prepared("keys_lock", kKeysLockKey);
        KeyChanges changes;
        const auto now_micros = to_micros(now);
        const auto delete_after_micros = to_micros(now + keep_retired_for);
        for (const auto& due : tx.exec_prepared("keys_due", now_micros)) {
          const auto kid = due[0].as<std::string>();
          const auto alg = due[1].as<std::string>();
          for (const auto& retired :
               tx.exec_prepared("keys_retire_for", alg, kid, now_micros, delete_after_micros)) {
            changes.retired.push_back(retired[0].as<std::string>());
          }
          tx.exec_prepared1("keys_activate", kid);
          changes.activated.push_back(kid);
        }
        return changes;
      },
      detail::Retry::OnceIfBroken);
}

Result<std::vector<std::string>, StorageError> KeyRepository::retire_superseded(
    TimePoint now, std::chrono::seconds keep_retired_for) {
  return pool_.transact(
      [&](pqxx::work& tx) {
        tx.exec_prepared("keys_lock", kKeysLockKey);
        std::vector<std::string> retired;
        for (const auto& row : tx.exec_prepared("keys_retire_superseded", to_micros(now),
                                                to_micros(now + keep_retired_for))) {
          retired.push_back(row[0].as<std::string>());
        }
        return retired;
      },
      detail::Retry::OnceIfBroken);
}

Result<std::size_t, StorageError> KeyRepository::delete_expired(TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return static_cast<std::size_t>(
            tx.exec_prepared("keys_delete_expired", to_micros(now)).affected_rows());
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
