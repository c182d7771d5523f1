#include "storage/grant_repository.h"

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

// Scopes never contain a space (RFC 6749 §3.3), so a space-joined string is an exact
// encoding of the list, and string_to_array('', ' ') is the empty array.
#define SCOPES(n) "string_to_array($" #n ", ' ')"

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "grants_insert",
        "INSERT INTO grants (id, client_id, user_id, session_id_hash, scopes, created_at,"
        " expires_at) VALUES ($1, $2, $3::uuid, $4, " SCOPES(5) ", " SQL_TS(6) ", " SQL_TS(7) ")"},
    detail::PreparedStatement{
        "grants_insert_with_refresh",
        "WITH g AS (INSERT INTO grants (id, client_id, user_id, session_id_hash, scopes,"
        "   created_at, expires_at)"
        "   VALUES ($1, $2, $3::uuid, $4, " SCOPES(5) ", " SQL_TS(6) ", " SQL_TS(7) ")"
        "   RETURNING id)"
        " INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scopes, created_at,"
        "   expires_at)"
        " SELECT $8, g.id, $2, " SCOPES(9) ", " SQL_TS(6) ", " SQL_TS(10) " FROM g"},
    detail::PreparedStatement{
        "grants_standing_find",
        "SELECT id, " SQL_MICROS("expires_at") " FROM grants"
        " WHERE client_id = $1 AND standing AND revoked_at IS NULL"
        " AND expires_at > " SQL_TS(2)},
    // Retires a standing grant that ends too soon: it stops being standing (so the unique
    // index admits a successor) but stays valid until its own expiry.
    detail::PreparedStatement{
        "grants_standing_retire",
        "UPDATE grants SET standing = false"
        " WHERE client_id = $1 AND standing AND revoked_at IS NULL"
        " AND expires_at <= " SQL_TS(2)},
    detail::PreparedStatement{
        "grants_standing_insert",
        "INSERT INTO grants (id, client_id, scopes, created_at, expires_at, standing)"
        " VALUES ($1, $2, " SCOPES(3) ", " SQL_TS(4) ", " SQL_TS(5) ", true)"
        " ON CONFLICT (client_id) WHERE standing AND revoked_at IS NULL DO NOTHING"},
    detail::PreparedStatement{
        "grants_revoke",
        "UPDATE grants SET revoked_at = " SQL_TS(2) " WHERE id = $1 AND revoked_at IS NULL"},
    detail::PreparedStatement{
        "grants_find",
        "SELECT id, client_id, user_id::text, array_to_string(scopes, ' '), standing, "
        SQL_MICROS("created_at") ", " SQL_MICROS("expires_at") ", " SQL_MICROS("revoked_at")
        " FROM grants WHERE id = $1"},
};
// clang-format on

#undef SCOPES

// libpqxx 6.4 takes a null pointer for NULL; bytea as binarystring.
const char* text_or_null(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

void insert_grant(pqxx::transaction_base& tx, const NewGrant& g) {
  if (g.session_id_hash) {
    tx.exec_prepared("grants_insert", g.id, g.client_id, text_or_null(g.user_id),
                     pqxx::binarystring(*g.session_id_hash), join_scopes(g.scopes),
                     to_micros(g.created_at), to_micros(g.expires_at));
  } else {
    tx.exec_prepared("grants_insert", g.id, g.client_id, text_or_null(g.user_id),
                     static_cast<const char*>(nullptr), join_scopes(g.scopes),
                     to_micros(g.created_at), to_micros(g.expires_at));
  }
}

// The columns of grants_find.
GrantRecord read_grant(const pqxx::row& row) {
  GrantRecord g;
  g.id = row[0].as<std::string>();
  g.client_id = row[1].as<std::string>();
  g.user_id = detail::read_optional_text(row[2]);
  g.scopes = split_scopes(row[3].as<std::string>());
  g.standing = row[4].as<bool>();
  g.created_at = detail::read_time(row[5]);
  g.expires_at = detail::read_time(row[6]);
  g.revoked_at = detail::read_optional_time(row[7]);
  return g;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> grant_repository_statements() {
  return kStatements;
}
}  // namespace detail

GrantRepository::GrantRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> GrantRepository::create(const NewGrant& grant) {
  return pool_.run([&](pqxx::nontransaction& tx) { insert_grant(tx, grant); });
}

Result<Unit, StorageError> GrantRepository::create_with_refresh_token(const NewGrant& g,
                                                                      const NewRefreshToken& r) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    const pqxx::binarystring token_hash(r.token_hash);
    if (g.session_id_hash) {
      tx.exec_prepared("grants_insert_with_refresh", g.id, g.client_id, text_or_null(g.user_id),
                       pqxx::binarystring(*g.session_id_hash), join_scopes(g.scopes),
                       to_micros(g.created_at), to_micros(g.expires_at), token_hash,
                       join_scopes(r.scopes), to_micros(r.expires_at));
    } else {
      tx.exec_prepared("grants_insert_with_refresh", g.id, g.client_id, text_or_null(g.user_id),
                       static_cast<const char*>(nullptr), join_scopes(g.scopes),
                       to_micros(g.created_at), to_micros(g.expires_at), token_hash,
                       join_scopes(r.scopes), to_micros(r.expires_at));
    }
  });
}

Result<StandingGrant, StorageError> GrantRepository::standing_grant(std::string_view client_id,
                                                                    TimePoint min_expiry,
                                                                    const NewGrant& fresh) {
  const std::string id(client_id);
  const auto min_micros = to_micros(min_expiry);
  auto read = [](const pqxx::row& row) {
    return StandingGrant{row[0].as<std::string>(), detail::read_time(row[1])};
  };
  auto found = pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<StandingGrant> {
        return detail::read_first(tx.exec_prepared("grants_standing_find", id, min_micros), read);
      },
      detail::Retry::OnceIfBroken);
  if (!found.ok()) return err(found.error());
  if (*found) return **found;
  // Retrying is safe: under the unique index a second attempt finds what the first made.
  auto created = pool_.transact(
      [&](pqxx::work& tx) -> std::optional<StandingGrant> {
        tx.exec_prepared("grants_standing_retire", id, min_micros);
        tx.exec_prepared("grants_standing_insert", fresh.id, id, join_scopes(fresh.scopes),
                         to_micros(fresh.created_at), to_micros(fresh.expires_at));
        // Ours, or the one a concurrent caller committed first (read committed: this
        // statement sees it).
        return detail::read_first(tx.exec_prepared("grants_standing_find", id, min_micros), read);
      },
      detail::Retry::OnceIfBroken);
  if (!created.ok()) return err(created.error());
  if (!*created) {
    return err(StorageError{
        StorageErrorCode::UnexpectedRows, "standing grant neither found nor created", {}});
  }
  return **created;
}

Result<bool, StorageError> GrantRepository::revoke(std::string_view grant_id, TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return tx.exec_prepared("grants_revoke", std::string(grant_id), to_micros(now))
                   .affected_rows() > 0;
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<GrantRecord>, StorageError> GrantRepository::find(std::string_view grant_id) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<GrantRecord> {
        return detail::read_first(tx.exec_prepared("grants_find", std::string(grant_id)),
                                  read_grant);
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
