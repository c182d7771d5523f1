#include "storage/client_repository.h"

#include <array>

#include "storage/detail/client_rows.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/text_array.h"

namespace keyward::storage {
namespace {

using detail::text_array_literal;

constexpr std::array kStatements{
    detail::PreparedStatement{
        "clients_insert",
        "INSERT INTO clients (client_id, secret_hmac, name, confidential, first_party,"
        " token_endpoint_auth_method, grant_types, scopes, redirect_uris,"
        " post_logout_redirect_uris, audiences, may_introspect)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9::text[], $10::text[],"
        " $11::text[], $12) RETURNING " KEYWARD_CLIENT_COLUMNS},
    detail::PreparedStatement{
        "clients_find", "SELECT " KEYWARD_CLIENT_COLUMNS " FROM clients WHERE client_id = $1"},
    detail::PreparedStatement{"clients_list", "SELECT " KEYWARD_CLIENT_COLUMNS
                                              " FROM clients ORDER BY created_at, client_id"},
    detail::PreparedStatement{"clients_update_secret",
                              "UPDATE clients SET secret_hmac = $2, updated_at = now()"
                              " WHERE client_id = $1"},
    detail::PreparedStatement{"clients_set_first_party",
                              "UPDATE clients SET first_party = $2, updated_at = now()"
                              " WHERE client_id = $1"},
    detail::PreparedStatement{"clients_set_may_introspect",
                              "UPDATE clients SET may_introspect = $2, updated_at = now()"
                              " WHERE client_id = $1"},
    detail::PreparedStatement{"clients_delete", "DELETE FROM clients WHERE client_id = $1"},
};

}  // namespace

namespace detail {
std::span<const PreparedStatement> client_repository_statements() {
  return kStatements;
}
}  // namespace detail

ClientRepository::ClientRepository(Database& database) : pool_(database.pool()) {}

Result<ClientRecord, StorageError> ClientRepository::insert(const ClientRecord& client) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    // libpqxx 6.4 passes a NULL for a null pointer; a binarystring for bytea.
    const auto row =
        client.secret_hmac
            ? tx.exec_prepared1(
                  "clients_insert", client.client_id, pqxx::binarystring(*client.secret_hmac),
                  client.name, client.confidential, client.first_party,
                  client.token_endpoint_auth_method, text_array_literal(client.grant_types),
                  text_array_literal(client.scopes), text_array_literal(client.redirect_uris),
                  text_array_literal(client.post_logout_redirect_uris),
                  text_array_literal(client.audiences), client.may_introspect)
            : tx.exec_prepared1(
                  "clients_insert", client.client_id, static_cast<const char*>(nullptr),
                  client.name, client.confidential, client.first_party,
                  client.token_endpoint_auth_method, text_array_literal(client.grant_types),
                  text_array_literal(client.scopes), text_array_literal(client.redirect_uris),
                  text_array_literal(client.post_logout_redirect_uris),
                  text_array_literal(client.audiences), client.may_introspect);
    return detail::read_client(row);
  });
}

Result<std::optional<ClientRecord>, StorageError> ClientRepository::find(
    std::string_view client_id) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) -> std::optional<ClientRecord> {
        return detail::read_first(tx.exec_prepared("clients_find", std::string(client_id)),
                                  detail::read_client);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::vector<ClientRecord>, StorageError> ClientRepository::list() {
  return pool_.run(
      [](pqxx::nontransaction& tx) {
        return detail::read_all(tx.exec_prepared("clients_list"), detail::read_client);
      },
      detail::Retry::OnceIfBroken);
}

Result<bool, StorageError> ClientRepository::update_secret(std::string_view client_id,
                                                           std::string_view secret_hmac) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("clients_update_secret", std::string(client_id),
                            pqxx::binarystring(secret_hmac.data(), secret_hmac.size()))
               .affected_rows() == 1;
  });
}

Result<bool, StorageError> ClientRepository::set_first_party(std::string_view client_id,
                                                             bool first_party) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("clients_set_first_party", std::string(client_id), first_party)
               .affected_rows() == 1;
  });
}

Result<bool, StorageError> ClientRepository::set_may_introspect(std::string_view client_id,
                                                                bool may_introspect) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("clients_set_may_introspect", std::string(client_id), may_introspect)
               .affected_rows() == 1;
  });
}

Result<bool, StorageError> ClientRepository::remove(std::string_view client_id) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("clients_delete", std::string(client_id)).affected_rows() == 1;
  });
}

}  // namespace keyward::storage
