#include "storage/registration_token_repository.h"

#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/registration_rows.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "registration_tokens_insert",
        "INSERT INTO registration_tokens (id, token_hash, expires_at, max_uses)"
        " VALUES ($1, $2, " SQL_TS(3) ", $4::integer) RETURNING " KEYWARD_REGISTRATION_TOKEN_COLUMNS},
    detail::PreparedStatement{
        "registration_tokens_list",
        "SELECT " KEYWARD_REGISTRATION_TOKEN_COLUMNS " FROM registration_tokens"
        " ORDER BY created_at, id"},
    detail::PreparedStatement{
        "registration_tokens_find_usable",
        "SELECT " KEYWARD_REGISTRATION_TOKEN_COLUMNS " FROM registration_tokens"
        " WHERE token_hash = $1 AND " KEYWARD_REGISTRATION_TOKEN_USABLE(2)},
    // One statement: under READ COMMITTED a concurrent UPDATE of the row waits and then
    // re-checks the WHERE clause against the row it committed, so uses never pass max_uses.
    detail::PreparedStatement{
        "registration_tokens_consume",
        "UPDATE registration_tokens SET uses = uses + 1"
        " WHERE token_hash = $1 AND " KEYWARD_REGISTRATION_TOKEN_USABLE(2)
        " RETURNING " KEYWARD_REGISTRATION_TOKEN_COLUMNS},
    detail::PreparedStatement{"registration_tokens_revoke",
                              "DELETE FROM registration_tokens WHERE id = $1"},
};
// clang-format on

const char* optional_text(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> registration_token_repository_statements() {
  return kStatements;
}
}  // namespace detail

RegistrationTokenRepository::RegistrationTokenRepository(Database& database)
    : pool_(database.pool()) {}

Result<RegistrationTokenRecord, StorageError> RegistrationTokenRepository::insert(
    std::string_view id, std::string_view token_hash, std::optional<TimePoint> expires_at,
    std::optional<int> max_uses) {
  const std::optional<std::string> expires =
      expires_at ? std::optional<std::string>(std::to_string(to_micros(*expires_at)))
                 : std::nullopt;
  const std::optional<std::string> uses =
      max_uses ? std::optional<std::string>(std::to_string(*max_uses)) : std::nullopt;
  return pool_.run([&](pqxx::nontransaction& tx) {
    return detail::read_registration_token(
        tx.exec_prepared1("registration_tokens_insert", std::string(id),
                          pqxx::binarystring(token_hash.data(), token_hash.size()),
                          optional_text(expires), optional_text(uses)));
  });
}

Result<std::vector<RegistrationTokenRecord>, StorageError> RegistrationTokenRepository::list() {
  return pool_.run(
      [](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("registration_tokens_list"),
                                detail::read_registration_token);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<RegistrationTokenRecord>, StorageError>
RegistrationTokenRepository::find_usable(std::string_view token_hash, TimePoint now) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_first(
            tx.exec_prepared("registration_tokens_find_usable",
                             pqxx::binarystring(token_hash.data(), token_hash.size()),
                             to_micros(now)),
            detail::read_registration_token);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<RegistrationTokenRecord>, StorageError> RegistrationTokenRepository::consume(
    std::string_view token_hash, TimePoint now) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return detail::read_first(
        tx.exec_prepared("registration_tokens_consume",
                         pqxx::binarystring(token_hash.data(), token_hash.size()), to_micros(now)),
        detail::read_registration_token);
  });
}

Result<bool, StorageError> RegistrationTokenRepository::revoke(std::string_view id) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("registration_tokens_revoke", std::string(id)).affected_rows() == 1;
  });
}

}  // namespace keyward::storage
