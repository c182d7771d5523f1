#include "storage/session_repository.h"

#include <algorithm>
#include <array>

#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "sessions_insert",
        "INSERT INTO browser_sessions (id_hash, csrf_secret, created_at, last_seen_at,"
        " expires_at) VALUES ($1, $2, " SQL_TS(3) ", " SQL_TS(3) ", " SQL_TS(4) ")"},
    // $1 digest, $2 user, $3 CSRF secret, $4 now, $5 absolute expiry, $6 user agent,
    // $7 address, $8 amr.
    detail::PreparedStatement{
        "sessions_start",
        "INSERT INTO browser_sessions (id_hash, user_id, csrf_secret, auth_time, created_at,"
        " last_seen_at, expires_at, user_agent, ip_address, amr)"
        " VALUES ($1, $2::uuid, $3, " SQL_TS(9) ", " SQL_TS(4) ", " SQL_TS(4) ", " SQL_TS(5) ","
        " $6, $7, $8)"},
    // $1 digest, $2 now, $3 idle timeout in seconds.
    detail::PreparedStatement{
        "sessions_touch",
        "UPDATE browser_sessions SET last_seen_at = " SQL_TS(2)
        " WHERE id_hash = $1 AND expires_at > " SQL_TS(2)
        " AND last_seen_at > " SQL_TS(2) " - $3::bigint * INTERVAL '1 second'"
        " RETURNING id_hash, user_id::text, csrf_secret, " SQL_MICROS("auth_time") ", "
        SQL_MICROS("created_at") ", " SQL_MICROS("last_seen_at") ", " SQL_MICROS("expires_at")
        ", COALESCE(amr, 'pwd')"},
    // $1 old digest, $2 new digest, $3 user, $4 now, $5 absolute expiry, $6 new CSRF secret,
    // $7 user agent, $8 address, $9 amr.
    detail::PreparedStatement{
        "sessions_sign_in_insert",
        "INSERT INTO browser_sessions (id_hash, user_id, csrf_secret, auth_time, created_at,"
        " last_seen_at, expires_at, user_agent, ip_address, amr)"
        " SELECT $2, $3::uuid, $6, " SQL_TS(10) ", " SQL_TS(4) ", " SQL_TS(4) ", " SQL_TS(5) ","
        " $7, $8, $9 FROM browser_sessions WHERE id_hash = $1"},
    detail::PreparedStatement{
        "sessions_move_grants",
        "UPDATE grants SET session_id_hash = $2"
        " WHERE session_id_hash = $1 AND user_id = $3::uuid"},
    // OIDC Core §11: offline access is for when the user is not there; it survives logout.
    detail::PreparedStatement{
        "sessions_revoke_grants",
        "UPDATE grants SET revoked_at = " SQL_TS(2)
        " WHERE session_id_hash = $1 AND revoked_at IS NULL"
        " AND NOT ('offline_access' = ANY (scopes))"},
    detail::PreparedStatement{
        "sessions_delete",
        "DELETE FROM browser_sessions WHERE id_hash = $1 RETURNING user_id::text"},
};
// clang-format on

// Printable ASCII only (anything else, which a header may carry but PostgreSQL's text may
// refuse, becomes '?'), at most `max` characters; nullopt when empty. What a browser says
// of itself is shown, never trusted.
std::optional<std::string> clipped(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c <= 0x7e) ? c : '?';
  if (out.empty()) return std::nullopt;
  return out;
}

SessionRecord read_session(const pqxx::row& row) {
  SessionRecord s;
  s.id_hash = detail::read_bytes(row[0]);
  s.user_id = detail::read_optional_text(row[1]);
  s.csrf_secret = detail::read_bytes(row[2]);
  s.auth_time = detail::read_optional_time(row[3]);
  s.created_at = detail::read_time(row[4]);
  s.last_seen_at = detail::read_time(row[5]);
  s.expires_at = detail::read_time(row[6]);
  s.amr = row[7].as<std::string>();
  return s;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> session_repository_statements() {
  return kStatements;
}
}  // namespace detail

SessionRepository::SessionRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> SessionRepository::create(const NewSession& s) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("sessions_insert", pqxx::binarystring(s.id_hash),
                     pqxx::binarystring(s.csrf_secret), to_micros(s.created_at),
                     to_micros(s.expires_at));
  });
}

Result<bool, StorageError> SessionRepository::start(const NewSignedInSession& s) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    const detail::NullableText agent(clipped(s.origin.user_agent, kMaxUserAgent));
    const detail::NullableText address(clipped(s.origin.ip_address, kMaxIpAddress));
    tx.exec_prepared("sessions_start", pqxx::binarystring(s.id_hash), s.user_id,
                     pqxx::binarystring(s.csrf_secret), to_micros(s.now), to_micros(s.expires_at),
                     agent.get(), address.get(), s.amr,
                     to_micros(std::min(s.now, s.auth_time.value_or(s.now))));
    return true;
  });
}

Result<std::optional<SessionRecord>, StorageError> SessionRepository::touch(
    std::string_view id_hash, TimePoint now, std::chrono::seconds idle_timeout) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<SessionRecord> {
        return detail::read_first(
            tx.exec_prepared("sessions_touch", pqxx::binarystring(std::string(id_hash)),
                             to_micros(now), static_cast<long long>(idle_timeout.count())),
            read_session);
      },
      detail::Retry::OnceIfBroken);
}

Result<bool, StorageError> SessionRepository::sign_in(
    std::string_view old_hash, std::string_view new_hash, std::string_view user_id,
    std::string_view csrf_secret, TimePoint now, TimePoint expires_at, const SessionOrigin& origin,
    std::string_view amr, std::optional<TimePoint> auth_time) {
  const pqxx::binarystring old_digest{std::string(old_hash)};
  const pqxx::binarystring new_digest{std::string(new_hash)};
  const pqxx::binarystring secret{std::string(csrf_secret)};
  const std::string user(user_id);
  const auto now_micros = to_micros(now);
  const detail::NullableText agent(clipped(origin.user_agent, kMaxUserAgent));
  const detail::NullableText address(clipped(origin.ip_address, kMaxIpAddress));
  return pool_.transact([&](pqxx::work& tx) {
    const auto inserted =
        tx.exec_prepared("sessions_sign_in_insert", old_digest, new_digest, user, now_micros,
                         to_micros(expires_at), secret, agent.get(), address.get(),
                         std::string(amr), to_micros(std::min(now, auth_time.value_or(now))));
    if (inserted.affected_rows() == 0) return false;
    tx.exec_prepared("sessions_move_grants", old_digest, new_digest, user);
    tx.exec_prepared("sessions_revoke_grants", old_digest, now_micros);
    tx.exec_prepared("sessions_delete", old_digest);
    return true;
  });
}

Result<std::optional<std::string>, StorageError> SessionRepository::end(std::string_view id_hash,
                                                                        TimePoint now) {
  const pqxx::binarystring digest{std::string(id_hash)};
  return pool_.transact([&](pqxx::work& tx) -> std::optional<std::string> {
    tx.exec_prepared("sessions_revoke_grants", digest, to_micros(now));
    const auto rows = tx.exec_prepared("sessions_delete", digest);
    if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
    return rows[0][0].as<std::string>();
  });
}

}  // namespace keyward::storage
