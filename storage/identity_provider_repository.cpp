#include "storage/identity_provider_repository.h"

#include <array>

#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/text_array.h"

namespace keyward::storage {
namespace {

// clang-format off
#define PROVIDER_COLUMNS                                                  \
  "name, issuer, client_id, client_secret_sealed, scopes, button_label, " \
  SQL_MICROS("created_at") ", " SQL_MICROS("updated_at")

constexpr std::array kStatements{
    detail::PreparedStatement{
        "identity_providers_insert",
        "INSERT INTO identity_providers"
        " (name, issuer, client_id, client_secret_sealed, scopes, button_label)"
        " VALUES ($1, $2, $3, $4, $5::text[], $6)"},
    detail::PreparedStatement{
        "identity_providers_list",
        "SELECT " PROVIDER_COLUMNS " FROM identity_providers ORDER BY name"},
    detail::PreparedStatement{
        "identity_providers_find",
        "SELECT " PROVIDER_COLUMNS " FROM identity_providers WHERE name = $1"},
    detail::PreparedStatement{
        "identity_providers_delete", "DELETE FROM identity_providers WHERE name = $1"},
};
// clang-format on

#undef PROVIDER_COLUMNS

IdentityProviderRecord read_provider(const pqxx::row& row) {
  IdentityProviderRecord provider;
  provider.name = row[0].as<std::string>();
  provider.issuer = row[1].as<std::string>();
  provider.client_id = row[2].as<std::string>();
  provider.client_secret_sealed = detail::read_bytes(row[3]);
  provider.scopes = detail::read_text_array(row[4]);
  provider.button_label = row[5].as<std::string>();
  provider.created_at = detail::read_time(row[6]);
  provider.updated_at = detail::read_time(row[7]);
  return provider;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> identity_provider_repository_statements() {
  return kStatements;
}
}  // namespace detail

IdentityProviderRepository::IdentityProviderRepository(Database& database)
    : pool_(database.pool()) {}

Result<IdentityProviderRepository::InsertOutcome, StorageError> IdentityProviderRepository::insert(
    const IdentityProviderRecord& provider) {
  auto inserted = pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("identity_providers_insert", provider.name, provider.issuer,
                     provider.client_id, pqxx::binarystring(provider.client_secret_sealed),
                     detail::text_array_literal(provider.scopes), provider.button_label);
  });
  if (inserted.ok()) return InsertOutcome::Inserted;
  // The primary key is the name: a second provider of that name is an expected outcome.
  if (inserted.error().code == StorageErrorCode::UniqueViolation &&
      inserted.error().constraint == "identity_providers_pkey") {
    return InsertOutcome::NameTaken;
  }
  return err(std::move(inserted).error());
}

Result<std::vector<IdentityProviderRecord>, StorageError> IdentityProviderRepository::list() {
  return pool_.run(
      [](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("identity_providers_list"), read_provider);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<IdentityProviderRecord>, StorageError> IdentityProviderRepository::find(
    std::string_view name) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<IdentityProviderRecord> {
        return detail::read_first(tx.exec_prepared("identity_providers_find", std::string(name)),
                                  read_provider);
      },
      detail::Retry::OnceIfBroken);
}

Result<bool, StorageError> IdentityProviderRepository::remove(std::string_view name) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("identity_providers_delete", std::string(name)).affected_rows() == 1;
  });
}

}  // namespace keyward::storage
