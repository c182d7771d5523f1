#include "storage/consent_repository.h"

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
constexpr std::array kStatements{
    detail::PreparedStatement{
        "consents_find",
        "SELECT array_to_string(scopes, ' ') FROM consents"
        " WHERE user_id = $1::uuid AND client_id = $2"},
    detail::PreparedStatement{
        "consents_remember",
        "INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at)"
        " VALUES ($1::uuid, $2, ARRAY(SELECT DISTINCT s FROM unnest(string_to_array($3, ' ')) s"
        "   ORDER BY 1), " SQL_TS(4) ", " SQL_TS(4) ")"
        " ON CONFLICT (user_id, client_id) DO UPDATE SET"
        " scopes = ARRAY(SELECT DISTINCT s FROM unnest(consents.scopes || EXCLUDED.scopes) s"
        "   ORDER BY 1),"
        " updated_at = EXCLUDED.updated_at"},
    detail::PreparedStatement{
        "consents_delete",
        "DELETE FROM consents WHERE user_id = $1::uuid AND client_id = $2"},
};
// clang-format on

}  // namespace

namespace detail {
std::span<const PreparedStatement> consent_repository_statements() {
  return kStatements;
}
}  // namespace detail

ConsentRepository::ConsentRepository(Database& database) : pool_(database.pool()) {}

Result<std::optional<std::vector<std::string>>, StorageError> ConsentRepository::find(
    std::string_view user_id, std::string_view client_id) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<std::vector<std::string>> {
        return detail::read_first(
            tx.exec_prepared("consents_find", std::string(user_id), std::string(client_id)),
            [](const pqxx::row& row) { return split_scopes(row[0].as<std::string>()); });
      },
      detail::Retry::OnceIfBroken);
}

Result<Unit, StorageError> ConsentRepository::remember(std::string_view user_id,
                                                       std::string_view client_id,
                                                       const std::vector<std::string>& scopes,
                                                       TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        tx.exec_prepared("consents_remember", std::string(user_id), std::string(client_id),
                         join_scopes(scopes), to_micros(now));
      },
      detail::Retry::OnceIfBroken);
}

Result<bool, StorageError> ConsentRepository::revoke(std::string_view user_id,
                                                     std::string_view client_id) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return tx.exec_prepared("consents_delete", std::string(user_id), std::string(client_id))
                   .affected_rows() > 0;
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
