#include "storage/user_repository.h"

#include <array>
#include <cctype>

#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/user_rows.h"

namespace keyward::storage {
namespace {

using detail::NullableText;

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "users_insert",
        "INSERT INTO users (username, email, given_name, family_name, password_hash,"
        " email_verified) VALUES (lower($1), $2, $3, $4, $5, $6) RETURNING " USER_RECORD_COLUMNS},
    detail::PreparedStatement{"users_find_by_username",
                              "SELECT " USER_RECORD_COLUMNS " FROM users WHERE username = lower($1)"},
    detail::PreparedStatement{"users_find_by_id",
                              "SELECT " USER_RECORD_COLUMNS " FROM users WHERE id = $1::uuid"},
    detail::PreparedStatement{"users_list", "SELECT " USER_RECORD_COLUMNS " FROM users ORDER BY username"},
    // Addresses are compared without case (their domain part is case-insensitive and
    // people type their local part in any case); at most $2 accounts.
    detail::PreparedStatement{"users_find_by_email",
                              "SELECT " USER_RECORD_COLUMNS " FROM users WHERE lower(email) = lower($1)"
                              " ORDER BY created_at LIMIT $2"},
    // Each of these three locks the user's row and returns its id, for the revocations
    // that follow in the same transaction.
    detail::PreparedStatement{"users_set_disabled",
                              "UPDATE users SET disabled = $2, updated_at = now()"
                              " WHERE username = lower($1) RETURNING id::text"},
    detail::PreparedStatement{"users_set_password_hash",
                              "UPDATE users SET password_hash = $2, updated_at = now()"
                              " WHERE username = lower($1) RETURNING id::text"},
    // $1 link digest, $2 now: the live reset link of an enabled user, used up; the user's
    // row is locked, so it cannot be disabled before its new password is written.
    detail::PreparedStatement{
        "users_consume_reset_link",
        "DELETE FROM account_links WHERE token_hash = $1 AND purpose = 'reset_password'"
        " AND expires_at > " SQL_TS(2)
        " AND user_id IN (SELECT id FROM users WHERE NOT disabled FOR NO KEY UPDATE)"
        " RETURNING user_id::text"},
    // $1 user id: a reset by mailed link of an account whose address nobody proved (an
    // upstream's unverified claim, say) ends its upstream links: the mailbox's owner takes
    // the account over, and whoever linked it must not keep a way in.
    detail::PreparedStatement{
        "users_unlink_unproven",
        "DELETE FROM federated_identities WHERE user_id = $1::uuid"
        " AND EXISTS (SELECT 1 FROM users WHERE id = $1::uuid AND NOT email_verified)"},
    detail::PreparedStatement{"users_set_password_hash_by_id",
                              "UPDATE users SET password_hash = $2, updated_at = now()"
                              " WHERE id = $1::uuid AND NOT disabled RETURNING id::text"},
    detail::PreparedStatement{"users_lock",
                              "SELECT id::text FROM users WHERE username = lower($1)"
                              " FOR NO KEY UPDATE"},
    // $1 user id, $2 now. Expired grants are dead already; offline_access grants too die
    // here (unlike at logout): the user's credentials or account changed.
    detail::PreparedStatement{
        "users_revoke_grants",
        "UPDATE grants SET revoked_at = " SQL_TS(2) " WHERE user_id = $1::uuid"
        " AND revoked_at IS NULL AND expires_at > " SQL_TS(2)},
    detail::PreparedStatement{"users_end_sessions",
                              "DELETE FROM browser_sessions WHERE user_id = $1::uuid"},
    detail::PreparedStatement{"users_replace_password_hash",
                              "UPDATE users SET password_hash = $3, updated_at = now()"
                              " WHERE id = $1::uuid AND password_hash = $2"},
};
// clang-format on

// The canonical 8-4-4-4-12 hex form, which is all we ever hand out: anything else cannot
// be a user id, and casting it to uuid in SQL would be an error rather than "not found".
bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> user_repository_statements() {
  return kStatements;
}
}  // namespace detail

UserRepository::UserRepository(Database& database) : pool_(database.pool()) {}

Result<UserRecord, StorageError> UserRepository::insert(const NewUser& user) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return detail::read_user_record(
        tx.exec_prepared1("users_insert", user.username, NullableText(user.email).get(),
                          NullableText(user.given_name).get(), NullableText(user.family_name).get(),
                          NullableText(user.password_hash).get(), user.email_verified));
  });
}

Result<std::optional<UserRecord>, StorageError> UserRepository::find_by_username(
    std::string_view username) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<UserRecord> {
        return detail::read_first(tx.exec_prepared("users_find_by_username", std::string(username)),
                                  detail::read_user_record);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<UserRecord>, StorageError> UserRepository::find_by_id(std::string_view id) {
  if (!is_uuid(id)) return std::optional<UserRecord>();
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<UserRecord> {
        return detail::read_first(tx.exec_prepared("users_find_by_id", std::string(id)),
                                  detail::read_user_record);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::vector<UserRecord>, StorageError> UserRepository::find_by_email(std::string_view email,
                                                                            size_t limit) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("users_find_by_email", std::string(email),
                                                 static_cast<long long>(limit)),
                                detail::read_user_record);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::vector<UserRecord>, StorageError> UserRepository::list() {
  return pool_.run(
      [](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("users_list"), detail::read_user_record);
      },
      detail::Retry::OnceIfBroken);
}

namespace {

// Runs after the statement that locked the user's row (`locked`: its id, or no row).
std::optional<RevokedAccess> revoke_user_access(pqxx::work& tx, const pqxx::result& locked,
                                                TimePoint now, bool revoke) {
  if (locked.empty()) return std::nullopt;
  RevokedAccess done;
  if (!revoke) return done;
  const auto user_id = locked[0][0].as<std::string>();
  done.grants_revoked = static_cast<uint64_t>(
      tx.exec_prepared("users_revoke_grants", user_id, detail::to_micros(now)).affected_rows());
  done.sessions_ended =
      static_cast<uint64_t>(tx.exec_prepared("users_end_sessions", user_id).affected_rows());
  return done;
}

}  // namespace

Result<std::optional<RevokedAccess>, StorageError> UserRepository::set_disabled(
    std::string_view username, bool disabled, TimePoint now) {
  return pool_.transact([&](pqxx::work& tx) {
    const auto locked = tx.exec_prepared("users_set_disabled", std::string(username), disabled);
    return revoke_user_access(tx, locked, now, disabled);
  });
}

Result<std::optional<RevokedAccess>, StorageError> UserRepository::set_password_hash(
    std::string_view username, std::string_view password_hash, TimePoint now) {
  return pool_.transact([&](pqxx::work& tx) {
    const auto locked = tx.exec_prepared("users_set_password_hash", std::string(username),
                                         std::string(password_hash));
    return revoke_user_access(tx, locked, now, true);
  });
}

Result<std::optional<RevokedAccess>, StorageError> UserRepository::reset_password_by_link(
    std::string_view link_hash, std::string_view password_hash, TimePoint now) {
  return pool_.transact([&](pqxx::work& tx) -> std::optional<RevokedAccess> {
    const auto link =
        tx.exec_prepared("users_consume_reset_link", pqxx::binarystring(std::string(link_hash)),
                         detail::to_micros(now));
    if (link.empty()) return std::nullopt;
    const std::string user_id = link[0][0].as<std::string>();
    tx.exec_prepared("users_unlink_unproven", user_id);
    const auto locked =
        tx.exec_prepared("users_set_password_hash_by_id", user_id, std::string(password_hash));
    return revoke_user_access(tx, locked, now, true);
  });
}

Result<std::optional<RevokedAccess>, StorageError> UserRepository::revoke_access(
    std::string_view username, TimePoint now) {
  return pool_.transact([&](pqxx::work& tx) {
    const auto locked = tx.exec_prepared("users_lock", std::string(username));
    return revoke_user_access(tx, locked, now, true);
  });
}

Result<bool, StorageError> UserRepository::replace_password_hash(std::string_view id,
                                                                 std::string_view old_hash,
                                                                 std::string_view new_hash) {
  if (!is_uuid(id)) return false;
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("users_replace_password_hash", std::string(id), std::string(old_hash),
                            std::string(new_hash))
               .affected_rows() == 1;
  });
}

}  // namespace keyward::storage
