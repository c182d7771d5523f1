#include "storage/revocation_repository.h"

#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "revocation_access_active",
        "SELECT EXISTS (SELECT 1 FROM grants g"
        "   WHERE g.id = $1 AND g.revoked_at IS NULL"
        "   AND g.expires_at > " SQL_TS(3)
        "   AND (g.user_id IS NULL OR NOT EXISTS"
        "        (SELECT 1 FROM users u WHERE u.id = g.user_id AND u.disabled)))"
        " AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $2)"},
    detail::PreparedStatement{
        "revocation_access_insert",
        "INSERT INTO revoked_access_tokens (jti, expires_at)"
        " VALUES ($1, " SQL_TS(2) ")"
        " ON CONFLICT (jti) DO NOTHING"},
};
// clang-format on

}  // namespace

namespace detail {
std::span<const PreparedStatement> revocation_repository_statements() {
  return kStatements;
}
}  // namespace detail

RevocationRepository::RevocationRepository(Database& database) : pool_(database.pool()) {}

Result<bool, StorageError> RevocationRepository::access_token_active(std::string_view grant_id,
                                                                     std::string_view jti,
                                                                     TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return tx
            .exec_prepared1("revocation_access_active", std::string(grant_id), std::string(jti),
                            to_micros(now))[0]
            .as<bool>();
      },
      detail::Retry::OnceIfBroken);
}

Result<Unit, StorageError> RevocationRepository::revoke_access_token(std::string_view jti,
                                                                     TimePoint expires_at) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        tx.exec_prepared("revocation_access_insert", std::string(jti), to_micros(expires_at));
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
