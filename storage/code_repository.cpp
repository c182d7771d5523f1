#include "storage/code_repository.h"

#include <array>

#include "common/crypto.h"
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
constexpr std::array kStatements{
    // $1 grant id, $2 client, $3 user, $4 session digest (hex or NULL), $5 scopes,
    // $6 created, $7 grant expiry, $8 code digest, $9 redirect_uri, $10 challenge (or
    // NULL), $11 nonce (or NULL), $12 auth_time, $13 code expiry, $14 amr. The session digest comes
    // as hex so that NULL needs no second statement.
    detail::PreparedStatement{
        "codes_insert_with_grant",
        "WITH g AS (INSERT INTO grants (id, client_id, user_id, session_id_hash, scopes,"
        "   created_at, expires_at)"
        "   VALUES ($1, $2, $3::uuid, decode($4, 'hex'), string_to_array($5, ' '), " SQL_TS(6) ","
        "   " SQL_TS(7) ") RETURNING id)"
        " INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id,"
        "   redirect_uri, code_challenge, code_challenge_method, nonce, scopes,"
        "   session_id_hash, auth_time, created_at, expires_at, amr)"
        " SELECT $8, g.id, $2, $3::uuid, $9, $10::text,"
        "   CASE WHEN $10::text IS NULL THEN NULL ELSE 'S256' END, $11,"
        "   string_to_array($5, ' '), decode($4, 'hex'), " SQL_TS(12) ", " SQL_TS(6) ", " SQL_TS(13)
        ", $14 FROM g"},
    // $1 digest, $2 client, $3 now. Locks the row: a concurrent consumption waits, then
    // re-checks consumed_at IS NULL (EvalPlanQual), finds it set and updates nothing.
    detail::PreparedStatement{
        "codes_consume",
        "UPDATE authorization_codes c SET consumed_at = " SQL_TS(3)
        " FROM grants g"
        " WHERE c.code_hash = $1 AND c.client_id = $2 AND c.consumed_at IS NULL"
        " AND c.expires_at > " SQL_TS(3)
        " AND g.id = c.grant_id AND g.revoked_at IS NULL AND g.expires_at > " SQL_TS(3)
        " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id AND u.disabled)"
        " RETURNING c.grant_id, c.client_id, c.user_id::text, c.redirect_uri, c.code_challenge,"
        " c.nonce, array_to_string(c.scopes, ' '), c.session_id_hash, "
        SQL_MICROS("c.auth_time") ", " SQL_MICROS("g.expires_at") ", COALESCE(c.amr, 'pwd')"},
    // Why a consumption did not happen: every fact, evaluated at $2.
    detail::PreparedStatement{
        "codes_classify",
        "SELECT c.grant_id, c.client_id, c.user_id::text, c.redirect_uri, c.code_challenge,"
        " c.nonce, array_to_string(c.scopes, ' '), c.session_id_hash, "
        SQL_MICROS("c.auth_time") ", " SQL_MICROS("g.expires_at") ", COALESCE(c.amr, 'pwd'),"
        " c.consumed_at IS NOT NULL, c.expires_at > " SQL_TS(2) ","
        " (g.revoked_at IS NULL AND g.expires_at > " SQL_TS(2) "), COALESCE(u.disabled, false)"
        " FROM authorization_codes c JOIN grants g ON g.id = c.grant_id"
        " LEFT JOIN users u ON u.id = c.user_id"
        " WHERE c.code_hash = $1"},
    detail::PreparedStatement{
        "codes_revoke_grant",
        "UPDATE grants SET revoked_at = " SQL_TS(2) " WHERE id = $1 AND revoked_at IS NULL"},
};
// clang-format on

const char* text_or_null(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

// Columns 0-10 of codes_consume and codes_classify.
CodeRecord read_code(const pqxx::row& row) {
  CodeRecord c;
  c.grant_id = row[0].as<std::string>();
  c.client_id = row[1].as<std::string>();
  c.user_id = row[2].as<std::string>();
  c.redirect_uri = row[3].as<std::string>();
  c.code_challenge = detail::read_optional_text(row[4]);
  c.nonce = detail::read_optional_text(row[5]);
  c.scopes = split_scopes(row[6].as<std::string>());
  c.session_id_hash = detail::read_optional_bytes(row[7]);
  c.auth_time = detail::read_time(row[8]);
  c.grant_expires_at = detail::read_time(row[9]);
  c.amr = row[10].as<std::string>();
  return c;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> code_repository_statements() {
  return kStatements;
}
}  // namespace detail

CodeRepository::CodeRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> CodeRepository::create_with_grant(const NewGrant& g, const NewCode& c) {
  const std::optional<std::string> session_hex =
      g.session_id_hash ? std::optional<std::string>(to_hex(*g.session_id_hash)) : std::nullopt;
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("codes_insert_with_grant", g.id, g.client_id, text_or_null(g.user_id),
                     text_or_null(session_hex), join_scopes(g.scopes), to_micros(g.created_at),
                     to_micros(g.expires_at), pqxx::binarystring(c.code_hash), c.redirect_uri,
                     text_or_null(c.code_challenge), text_or_null(c.nonce), to_micros(c.auth_time),
                     to_micros(c.expires_at), c.amr);
  });
}

Result<CodeConsumption, StorageError> CodeRepository::consume(std::string_view code_hash,
                                                              std::string_view client_id,
                                                              TimePoint now) {
  const pqxx::binarystring digest{std::string(code_hash)};
  const std::string client(client_id);
  const auto now_micros = to_micros(now);
  // Not retried on a broken connection: the consumption may have committed, and a retry
  // would then look like a replay and revoke the grant.
  return pool_.run([&](pqxx::nontransaction& tx) {
    CodeConsumption out;
    using Outcome = CodeConsumption::Outcome;
    const auto consumed = tx.exec_prepared("codes_consume", digest, client, now_micros);
    if (!consumed.empty()) {
      out.outcome = Outcome::Consumed;
      out.code = read_code(consumed[0]);
      return out;
    }
    const auto rows = tx.exec_prepared("codes_classify", digest, now_micros);
    if (rows.empty()) return out;  // NotFound
    const auto& row = rows[0];
    CodeRecord code = read_code(row);
    const bool already_consumed = row[11].as<bool>();
    const bool unexpired = row[12].as<bool>();
    const bool grant_live = row[13].as<bool>();
    const bool user_disabled = row[14].as<bool>();
    // Another client can neither redeem it nor, by presenting it, revoke its grant.
    if (code.client_id != client) {
      out.outcome = Outcome::WrongClient;
    } else if (already_consumed) {
      out.outcome = Outcome::AlreadyConsumed;
      out.grant_revoked =
          tx.exec_prepared("codes_revoke_grant", code.grant_id, now_micros).affected_rows() > 0;
      out.code = std::move(code);
    } else if (!unexpired) {
      out.outcome = Outcome::Expired;
    } else if (!grant_live) {
      out.outcome = Outcome::GrantInactive;
    } else if (user_disabled) {
      out.outcome = Outcome::UserDisabled;
    } else {
      // Every condition holds now but did not a moment ago: the clock crossed a boundary.
      out.outcome = Outcome::Expired;
    }
    return out;
  });
}

}  // namespace keyward::storage
