#include "storage/account_repository.h"

#include <array>

#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/scope_text.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/user_rows.h"

namespace keyward::storage {
namespace {

using detail::NullableText;
using detail::to_micros;

// clang-format off
constexpr std::array kStatements{
    // $1 user, $2 now, $3 idle timeout in seconds.
    detail::PreparedStatement{
        "account_sessions",
        "SELECT id_hash, " SQL_MICROS("created_at") ", " SQL_MICROS("last_seen_at") ","
        " ip_address, user_agent FROM browser_sessions"
        " WHERE user_id = $1::uuid AND expires_at > " SQL_TS(2)
        " AND last_seen_at > " SQL_TS(2) " - $3::bigint * INTERVAL '1 second'"
        " ORDER BY last_seen_at DESC, created_at DESC"},
    // $1 user, $2 session digest: locks the session, and only if it is the user's.
    detail::PreparedStatement{
        "account_lock_session",
        "SELECT 1 FROM browser_sessions WHERE id_hash = $1 AND user_id = $2::uuid FOR UPDATE"},
    // As logout (session_repository.cpp sessions_revoke_grants): offline access survives.
    detail::PreparedStatement{
        "account_revoke_session_grants",
        "UPDATE grants SET revoked_at = " SQL_TS(2)
        " WHERE session_id_hash = $1 AND revoked_at IS NULL"
        " AND NOT ('offline_access' = ANY (scopes))"},
    detail::PreparedStatement{
        "account_delete_session",
        "DELETE FROM browser_sessions WHERE id_hash = $1 AND user_id = $2::uuid"},
    // $1 user, $2 now: every session of the user, each as logout ends one.
    detail::PreparedStatement{
        "account_revoke_all_session_grants",
        "UPDATE grants SET revoked_at = " SQL_TS(2)
        " WHERE user_id = $1::uuid AND revoked_at IS NULL"
        " AND session_id_hash IN (SELECT id_hash FROM browser_sessions WHERE user_id = $1::uuid)"
        " AND NOT ('offline_access' = ANY (scopes))"},
    detail::PreparedStatement{
        "account_delete_all_sessions",
        "DELETE FROM browser_sessions WHERE user_id = $1::uuid"},
    // $1 user, $2 given name, $3 family name, $4 e-mail. In SET, `email` is the old value.
    detail::PreparedStatement{
        "account_update_profile",
        "UPDATE users SET given_name = $2, family_name = $3, email = $4,"
        " email_verified = CASE WHEN email IS NOT DISTINCT FROM $4 THEN email_verified"
        " ELSE false END, updated_at = now()"
        " WHERE id = $1::uuid RETURNING " USER_RECORD_COLUMNS},
    // $1 user: its e-mail address, the row locked until the profile is written.
    detail::PreparedStatement{
        "account_lock_email", "SELECT email FROM users WHERE id = $1::uuid FOR UPDATE"},
    // $1 user. A reset link mailed before the address or the password changed must not
    // outlive the change: it went to an address that may be someone else's now, or it
    // would undo a password the user just chose.
    detail::PreparedStatement{
        "account_forget_reset_links",
        "DELETE FROM account_links WHERE user_id = $1::uuid AND purpose = 'reset_password'"},
    // $1 user, $2 the hash that was verified, $3 the new hash.
    detail::PreparedStatement{
        "account_set_password",
        "UPDATE users SET password_hash = $3, updated_at = now()"
        " WHERE id = $1::uuid AND password_hash = $2"},
    // $1 user, $2 now: every live grant, offline_access too (the credentials changed).
    detail::PreparedStatement{
        "account_revoke_user_grants",
        "UPDATE grants SET revoked_at = " SQL_TS(2) " WHERE user_id = $1::uuid"
        " AND revoked_at IS NULL AND expires_at > " SQL_TS(2)},
    detail::PreparedStatement{
        "account_delete_other_sessions",
        "DELETE FROM browser_sessions WHERE user_id = $1::uuid AND id_hash <> $2"},
    // $1 user, $2 now.
    detail::PreparedStatement{
        "account_applications",
        "WITH live AS (SELECT client_id, scopes FROM grants WHERE user_id = $1::uuid"
        "   AND revoked_at IS NULL AND expires_at > " SQL_TS(2) "),"
        " consented AS (SELECT client_id, scopes FROM consents WHERE user_id = $1::uuid),"
        " ids AS (SELECT client_id FROM live UNION SELECT client_id FROM consented)"
        " SELECT ids.client_id, c.name,"
        "  array_to_string(ARRAY(SELECT DISTINCT s FROM ("
        "    SELECT unnest(scopes) s FROM live WHERE live.client_id = ids.client_id"
        "    UNION ALL SELECT unnest(scopes) FROM consented"
        "    WHERE consented.client_id = ids.client_id) all_scopes ORDER BY 1), ' '),"
        "  EXISTS (SELECT 1 FROM consented WHERE consented.client_id = ids.client_id),"
        "  (SELECT count(*) FROM live WHERE live.client_id = ids.client_id)"
        " FROM ids JOIN clients c ON c.client_id = ids.client_id"
        " ORDER BY lower(c.name), ids.client_id"},
    // $1 user, $2 client.
    detail::PreparedStatement{
        "account_forget_consent",
        "DELETE FROM consents WHERE user_id = $1::uuid AND client_id = $2"},
    // $1 user, $2 client, $3 now: offline_access too (the user asked to disconnect it).
    detail::PreparedStatement{
        "account_revoke_client_grants",
        "UPDATE grants SET revoked_at = " SQL_TS(3)
        " WHERE user_id = $1::uuid AND client_id = $2 AND revoked_at IS NULL"
        " AND expires_at > " SQL_TS(3)},
    // $1 user, $2 the hash that was verified.
    detail::PreparedStatement{
        "account_lock_user",
        "SELECT 1 FROM users WHERE id = $1::uuid AND password_hash IS NOT DISTINCT FROM $2 FOR UPDATE"},
    detail::PreparedStatement{
        "account_delete_user",
        "DELETE FROM users WHERE id = $1::uuid"},
    // $1 username.
    detail::PreparedStatement{
        "account_mark_email_verified",
        "UPDATE users SET email_verified = (email IS NOT NULL), updated_at = now()"
        " WHERE username = lower($1) RETURNING email IS NOT NULL"},
};
// clang-format on

UserSession read_session(const pqxx::row& row) {
  UserSession s;
  s.id_hash = detail::read_bytes(row[0]);
  s.created_at = detail::read_time(row[1]);
  s.last_seen_at = detail::read_time(row[2]);
  s.ip_address = detail::read_optional_text(row[3]);
  s.user_agent = detail::read_optional_text(row[4]);
  return s;
}

ConnectedApplication read_application(const pqxx::row& row) {
  ConnectedApplication app;
  app.client_id = row[0].as<std::string>();
  app.client_name = row[1].as<std::string>();
  app.scopes = detail::split_scopes(row[2].as<std::string>());
  app.consented = row[3].as<bool>();
  app.live_grants = row[4].as<uint64_t>();
  return app;
}

pqxx::binarystring bytes(std::string_view value) {
  return pqxx::binarystring(std::string(value));
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> account_repository_statements() {
  return kStatements;
}
}  // namespace detail

AccountRepository::AccountRepository(Database& database) : pool_(database.pool()) {}

Result<std::vector<UserSession>, StorageError> AccountRepository::sessions(
    std::string_view user_id, TimePoint now, std::chrono::seconds idle_timeout) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_all(
            tx.exec_prepared("account_sessions", std::string(user_id), to_micros(now),
                             static_cast<long long>(idle_timeout.count())),
            read_session);
      },
      detail::Retry::OnceIfBroken);
}

Result<bool, StorageError> AccountRepository::end_session(std::string_view user_id,
                                                          std::string_view id_hash, TimePoint now) {
  const auto digest = bytes(id_hash);
  const std::string user(user_id);
  return pool_.transact([&](pqxx::work& tx) {
    if (tx.exec_prepared("account_lock_session", digest, user).empty()) return false;
    tx.exec_prepared("account_revoke_session_grants", digest, to_micros(now));
    tx.exec_prepared("account_delete_session", digest, user);
    return true;
  });
}

Result<uint64_t, StorageError> AccountRepository::end_all_sessions(std::string_view user_id,
                                                                   TimePoint now) {
  const std::string user(user_id);
  return pool_.transact([&](pqxx::work& tx) {
    tx.exec_prepared("account_revoke_all_session_grants", user, to_micros(now));
    return static_cast<uint64_t>(
        tx.exec_prepared("account_delete_all_sessions", user).affected_rows());
  });
}

Result<std::optional<UserRecord>, StorageError> AccountRepository::update_profile(
    std::string_view user_id, const ProfileUpdate& profile) {
  return pool_.transact([&](pqxx::work& tx) -> std::optional<UserRecord> {
    const auto current = tx.exec_prepared("account_lock_email", std::string(user_id));
    if (current.empty()) return std::nullopt;
    if (detail::read_optional_text(current[0][0]) != profile.email) {
      tx.exec_prepared("account_forget_reset_links", std::string(user_id));
    }
    return detail::read_first(tx.exec_prepared("account_update_profile", std::string(user_id),
                                               NullableText(profile.given_name).get(),
                                               NullableText(profile.family_name).get(),
                                               NullableText(profile.email).get()),
                              detail::read_user_record);
  });
}

Result<bool, StorageError> AccountRepository::change_password(std::string_view user_id,
                                                              std::string_view old_hash,
                                                              std::string_view new_hash,
                                                              std::string_view keep_session_hash,
                                                              TimePoint now) {
  const std::string user(user_id);
  return pool_.transact([&](pqxx::work& tx) {
    if (tx.exec_prepared("account_set_password", user, std::string(old_hash), std::string(new_hash))
            .affected_rows() == 0) {
      return false;
    }
    tx.exec_prepared("account_revoke_user_grants", user, to_micros(now));
    tx.exec_prepared("account_delete_other_sessions", user, bytes(keep_session_hash));
    tx.exec_prepared("account_forget_reset_links", user);
    return true;
  });
}

Result<std::vector<ConnectedApplication>, StorageError> AccountRepository::applications(
    std::string_view user_id, TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_all(
            tx.exec_prepared("account_applications", std::string(user_id), to_micros(now)),
            read_application);
      },
      detail::Retry::OnceIfBroken);
}

Result<bool, StorageError> AccountRepository::revoke_application(std::string_view user_id,
                                                                 std::string_view client_id,
                                                                 TimePoint now) {
  const std::string user(user_id);
  const std::string client(client_id);
  return pool_.transact([&](pqxx::work& tx) {
    const auto forgot = tx.exec_prepared("account_forget_consent", user, client).affected_rows();
    const auto revoked =
        tx.exec_prepared("account_revoke_client_grants", user, client, to_micros(now))
            .affected_rows();
    return forgot + revoked > 0;
  });
}

Result<bool, StorageError> AccountRepository::delete_user(
    std::string_view user_id, const std::optional<std::string>& password_hash, TimePoint now) {
  const std::string user(user_id);
  const detail::NullableText hash(password_hash);
  return pool_.transact([&](pqxx::work& tx) {
    if (tx.exec_prepared("account_lock_user", user, hash.get()).empty()) {
      return false;
    }
    tx.exec_prepared("account_revoke_user_grants", user, to_micros(now));
    tx.exec_prepared("account_delete_user", user);
    return true;
  });
}

Result<EmailVerificationMark, StorageError> AccountRepository::mark_email_verified(
    std::string_view username) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    const auto rows = tx.exec_prepared("account_mark_email_verified", std::string(username));
    if (rows.empty()) return EmailVerificationMark::NoSuchUser;
    return rows[0][0].as<bool>() ? EmailVerificationMark::Verified : EmailVerificationMark::NoEmail;
  });
}

}  // namespace keyward::storage
