#include "storage/refresh_token_repository.h"

#include <algorithm>
#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/scope_text.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::join_scopes;
using detail::split_scopes;
using detail::to_micros;

// clang-format off
#define USER_ENABLED(g)                                                       \
  "(" g ".user_id IS NULL OR NOT EXISTS"                                      \
  " (SELECT 1 FROM users u WHERE u.id = " g ".user_id AND u.disabled))"
#define TOKEN_COLUMNS                                                         \
  "r.grant_id, r.client_id, g.user_id::text, array_to_string(r.scopes, ' '), " \
  SQL_MICROS("r.created_at") ", " SQL_MICROS("r.expires_at")
// clang-format on

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "refresh_insert",
        "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scopes, created_at,"
        " expires_at) VALUES ($1, $2, $3, string_to_array($4, ' '), " SQL_TS(5) ", " SQL_TS(6) ")"},
    // $1 presented digest, $2 client, $3 requested scopes, $4 successor digest, $5 now.
    // The UPDATE locks the row; a concurrent rotation of the same token waits for it and
    // then re-checks rotated_at IS NULL (EvalPlanQual), finds it set and updates nothing.
    // Within this statement the old row's new version is no longer in the partial unique
    // index, so the successor does not conflict with it.
    detail::PreparedStatement{
        "refresh_rotate",
        "WITH old AS ("
        "   UPDATE refresh_tokens r SET rotated_at = " SQL_TS(5) ", replaced_by = $4"
        "   FROM grants g"
        "   WHERE r.token_hash = $1 AND r.client_id = $2 AND r.rotated_at IS NULL"
        "   AND r.expires_at > " SQL_TS(5) " AND r.scopes @> string_to_array($3, ' ')"
        "   AND g.id = r.grant_id AND g.revoked_at IS NULL AND g.expires_at > " SQL_TS(5)
        "   AND " USER_ENABLED("g")
        "   RETURNING r.grant_id, r.client_id, r.scopes, r.created_at, r.expires_at, g.user_id),"
        " successor AS ("
        "   INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scopes, created_at,"
        "     expires_at)"
        "   SELECT $4, grant_id, client_id, scopes, " SQL_TS(5) ", expires_at FROM old"
        "   RETURNING grant_id)"
        " SELECT old.grant_id, old.client_id, old.user_id::text,"
        "   array_to_string(old.scopes, ' '), " SQL_MICROS("old.created_at") ", "
        SQL_MICROS("old.expires_at")
        " FROM old JOIN successor USING (grant_id)"},
    // A retry within the grace window. $1 presented digest, $2 client, $3 requested
    // scopes, $4 the successor digest the caller derived, $5 now, $6 the window in
    // microseconds. FOR UPDATE OF s takes the successor's row lock: a concurrent rotation
    // of the successor either committed first (then the re-check sees its rotated_at and
    // this returns nothing: reuse) or waits until this statement is done.
    detail::PreparedStatement{
        "refresh_replay",
        "SELECT " TOKEN_COLUMNS
        " FROM refresh_tokens r"
        " JOIN refresh_tokens s ON s.token_hash = r.replaced_by"
        " JOIN grants g ON g.id = r.grant_id"
        " WHERE r.token_hash = $1 AND r.client_id = $2 AND r.replaced_by = $4"
        " AND r.rotated_at > " SQL_TS(5) " - $6::bigint * INTERVAL '1 microsecond'"
        " AND r.scopes @> string_to_array($3, ' ')"
        " AND s.rotated_at IS NULL AND s.expires_at > " SQL_TS(5)
        " AND g.revoked_at IS NULL AND g.expires_at > " SQL_TS(5) " AND " USER_ENABLED("g")
        " FOR UPDATE OF s"},
    // Why a rotation did not happen: every fact, evaluated at $2.
    detail::PreparedStatement{
        "refresh_classify",
        "SELECT " TOKEN_COLUMNS ", r.rotated_at IS NOT NULL, r.expires_at > " SQL_TS(2) ","
        "   (g.revoked_at IS NULL AND g.expires_at > " SQL_TS(2) "), COALESCE(u.disabled, false)"
        " FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id"
        " LEFT JOIN users u ON u.id = g.user_id"
        " WHERE r.token_hash = $1"},
    detail::PreparedStatement{
        "refresh_find_active",
        "SELECT " TOKEN_COLUMNS
        " FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id"
        " WHERE r.token_hash = $1 AND r.rotated_at IS NULL AND r.expires_at > " SQL_TS(2)
        " AND g.revoked_at IS NULL AND g.expires_at > " SQL_TS(2) " AND " USER_ENABLED("g")},
    detail::PreparedStatement{
        "refresh_find",
        "SELECT " TOKEN_COLUMNS
        " FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.token_hash = $1"},
    detail::PreparedStatement{
        "refresh_revoke_grant",
        "UPDATE grants SET revoked_at = " SQL_TS(2) " WHERE id = $1 AND revoked_at IS NULL"},
};
// clang-format on

#undef TOKEN_COLUMNS
#undef USER_ENABLED

// Columns 0-5 of refresh_rotate, refresh_classify, refresh_find_active and refresh_find.
RefreshTokenRecord read_token(const pqxx::row& row) {
  RefreshTokenRecord t;
  t.grant_id = row[0].as<std::string>();
  t.client_id = row[1].as<std::string>();
  t.user_id = detail::read_optional_text(row[2]);
  t.scopes = split_scopes(row[3].as<std::string>());
  t.created_at = detail::read_time(row[4]);
  t.expires_at = detail::read_time(row[5]);
  return t;
}

bool is_subset(std::vector<std::string> requested, std::vector<std::string> granted) {
  std::sort(requested.begin(), requested.end());
  std::sort(granted.begin(), granted.end());
  return std::includes(granted.begin(), granted.end(), requested.begin(), requested.end());
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> refresh_token_repository_statements() {
  return kStatements;
}
}  // namespace detail

RefreshTokenRepository::RefreshTokenRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> RefreshTokenRepository::insert(const NewRefreshToken& t) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("refresh_insert", pqxx::binarystring(t.token_hash), t.grant_id, t.client_id,
                     join_scopes(t.scopes), to_micros(t.created_at), to_micros(t.expires_at));
  });
}

Result<Rotation, StorageError> RefreshTokenRepository::rotate(
    std::string_view token_hash, std::string_view client_id,
    const std::vector<std::string>& requested_scopes, std::string_view new_hash, TimePoint now,
    std::chrono::seconds reuse_grace) {
  const pqxx::binarystring presented{std::string(token_hash)};
  const pqxx::binarystring successor{std::string(new_hash)};
  const std::string client(client_id);
  const auto now_micros = to_micros(now);
  // Not retried on a broken connection: the rotation may have committed, and a retry
  // would then look like reuse and revoke the grant.
  return pool_.run([&](pqxx::nontransaction& tx) {
    Rotation rotation;
    const auto rotated = tx.exec_prepared("refresh_rotate", presented, client,
                                          join_scopes(requested_scopes), successor, now_micros);
    if (!rotated.empty()) {
      rotation.outcome = Rotation::Outcome::Rotated;
      rotation.token = read_token(rotated[0]);
      return rotation;
    }
    if (reuse_grace > std::chrono::seconds(0)) {
      const auto replayed = tx.exec_prepared(
          "refresh_replay", presented, client, join_scopes(requested_scopes), successor, now_micros,
          static_cast<long long>(
              std::chrono::duration_cast<std::chrono::microseconds>(reuse_grace).count()));
      if (!replayed.empty()) {
        rotation.outcome = Rotation::Outcome::Replayed;
        rotation.token = read_token(replayed[0]);
        return rotation;
      }
    }
    const auto rows = tx.exec_prepared("refresh_classify", presented, now_micros);
    if (rows.empty()) return rotation;  // NotFound
    const auto& row = rows[0];
    rotation.token = read_token(row);
    const bool already_rotated = row[6].as<bool>();
    const bool unexpired = row[7].as<bool>();
    const bool grant_live = row[8].as<bool>();
    const bool user_disabled = row[9].as<bool>();
    using Outcome = Rotation::Outcome;
    // Another client cannot have it rotated, nor revoke the owner's grant with it.
    if (rotation.token->client_id != client) {
      rotation.outcome = Outcome::WrongClient;
    } else if (already_rotated) {
      // RFC 9700 §4.14.2: the token was used before, by us or by a thief; we cannot tell
      // which, so the grant dies with every token issued from it.
      rotation.outcome = Outcome::AlreadyRotated;
      rotation.grant_revoked =
          tx.exec_prepared("refresh_revoke_grant", rotation.token->grant_id, now_micros)
              .affected_rows() > 0;
    } else if (!grant_live) {
      rotation.outcome = Outcome::GrantInactive;
    } else if (!unexpired) {
      rotation.outcome = Outcome::Expired;
    } else if (user_disabled) {
      rotation.outcome = Outcome::UserDisabled;
    } else if (!is_subset(requested_scopes, rotation.token->scopes)) {
      rotation.outcome = Outcome::ScopeNotGranted;
    } else {
      // Every condition holds now but did not during the rotation: a concurrent change
      // (the grant revoked and restored cannot happen; a clock at the boundary can).
      rotation.outcome = Outcome::Expired;
    }
    return rotation;
  });
}

Result<std::optional<RefreshTokenRecord>, StorageError> RefreshTokenRepository::find_active(
    std::string_view token_hash, TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<RefreshTokenRecord> {
        return detail::read_first(
            tx.exec_prepared("refresh_find_active", pqxx::binarystring(std::string(token_hash)),
                             to_micros(now)),
            read_token);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<RefreshTokenRecord>, StorageError> RefreshTokenRepository::find(
    std::string_view token_hash) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<RefreshTokenRecord> {
        return detail::read_first(
            tx.exec_prepared("refresh_find", pqxx::binarystring(std::string(token_hash))),
            read_token);
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
