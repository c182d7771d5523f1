#include "storage/dynamic_client_repository.h"

#include <array>

#include "storage/detail/client_rows.h"
#include "storage/detail/pool.h"
#include "storage/detail/registration_rows.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/text_array.h"

namespace keyward::storage {
namespace {

using detail::text_array_literal;
using detail::to_micros;

#define REGISTRATION_COLUMNS \
  "client_uri, logo_uri, policy_uri, tos_uri, jwks_uri, contacts, software_id, software_version"

// clang-format off
constexpr std::array kStatements{
    detail::PreparedStatement{
        "client_registrations_insert",
        "INSERT INTO client_registrations (client_id, access_token_hash, client_uri, logo_uri,"
        " policy_uri, tos_uri, jwks_uri, contacts, software_id, software_version)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10)"
        " RETURNING " REGISTRATION_COLUMNS},
    detail::PreparedStatement{
        "client_registrations_find",
        "SELECT " KEYWARD_CLIENT_COLUMNS ", " REGISTRATION_COLUMNS
        " FROM clients JOIN client_registrations USING (client_id)"
        " WHERE client_id = $1 AND access_token_hash = $2"},
    // The row is locked until the transaction ends, so two updates with the same token
    // cannot both rotate it: the second finds the hash changed.
    detail::PreparedStatement{
        "client_registrations_rotate",
        "UPDATE client_registrations SET access_token_hash = $3, client_uri = $4,"
        " logo_uri = $5, policy_uri = $6, tos_uri = $7, jwks_uri = $8, contacts = $9::text[],"
        " software_id = $10, software_version = $11"
        " WHERE client_id = $1 AND access_token_hash = $2 RETURNING " REGISTRATION_COLUMNS},
    detail::PreparedStatement{
        "client_registrations_replace_client",
        "UPDATE clients SET name = $2, token_endpoint_auth_method = $3,"
        " grant_types = $4::text[], scopes = $5::text[], redirect_uris = $6::text[],"
        " post_logout_redirect_uris = $7::text[], updated_at = now()"
        " WHERE client_id = $1 RETURNING " KEYWARD_CLIENT_COLUMNS},
    detail::PreparedStatement{
        "client_registrations_delete",
        "DELETE FROM clients WHERE client_id = $1 AND EXISTS (SELECT 1 FROM"
        " client_registrations r WHERE r.client_id = $1 AND r.access_token_hash = $2)"},
};
// clang-format on

#undef REGISTRATION_COLUMNS

// The eight REGISTRATION_COLUMNS, from `first` on.
RegistrationMetadata read_metadata(const pqxx::row& row, int first) {
  RegistrationMetadata m;
  m.client_uri = detail::read_optional_text(row[first]);
  m.logo_uri = detail::read_optional_text(row[first + 1]);
  m.policy_uri = detail::read_optional_text(row[first + 2]);
  m.tos_uri = detail::read_optional_text(row[first + 3]);
  m.jwks_uri = detail::read_optional_text(row[first + 4]);
  m.contacts = detail::read_text_array(row[first + 5]);
  m.software_id = detail::read_optional_text(row[first + 6]);
  m.software_version = detail::read_optional_text(row[first + 7]);
  return m;
}

RegisteredClientRecord read_registered(const pqxx::row& row) {
  return {detail::read_client(row), read_metadata(row, 14)};
}

const char* optional_text(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

pqxx::binarystring bytes(std::string_view value) {
  return pqxx::binarystring(value.data(), value.size());
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> dynamic_client_repository_statements() {
  return kStatements;
}
}  // namespace detail

DynamicClientRepository::DynamicClientRepository(Database& database) : pool_(database.pool()) {}

Result<std::variant<RegisteredClientRecord, DynamicClientRepository::Refused>, StorageError>
DynamicClientRepository::insert(const ClientRecord& client, const RegistrationMetadata& metadata,
                                std::string_view access_token_hash,
                                std::optional<std::string> initial_token_hash, TimePoint now) {
  using Outcome = std::variant<RegisteredClientRecord, Refused>;
  return pool_.transact([&](pqxx::work& tx) -> Outcome {
    if (initial_token_hash) {
      // registration_token_repository.cpp's statement: counted only if the client is
      // stored, since both commit together.
      const auto used = tx.exec_prepared("registration_tokens_consume", bytes(*initial_token_hash),
                                         to_micros(now));
      if (used.empty()) return Refused{};
    }
    // client_repository.cpp's statement.
    const auto client_row =
        client.secret_hmac
            ? tx.exec_prepared1(
                  "clients_insert", client.client_id, bytes(*client.secret_hmac), client.name,
                  client.confidential, client.first_party, client.token_endpoint_auth_method,
                  text_array_literal(client.grant_types), text_array_literal(client.scopes),
                  text_array_literal(client.redirect_uris),
                  text_array_literal(client.post_logout_redirect_uris),
                  text_array_literal(client.audiences), client.may_introspect)
            : tx.exec_prepared1(
                  "clients_insert", client.client_id, static_cast<const char*>(nullptr),
                  client.name, client.confidential, client.first_party,
                  client.token_endpoint_auth_method, text_array_literal(client.grant_types),
                  text_array_literal(client.scopes), text_array_literal(client.redirect_uris),
                  text_array_literal(client.post_logout_redirect_uris),
                  text_array_literal(client.audiences), client.may_introspect);
    const auto registration_row = tx.exec_prepared1(
        "client_registrations_insert", client.client_id, bytes(access_token_hash),
        optional_text(metadata.client_uri), optional_text(metadata.logo_uri),
        optional_text(metadata.policy_uri), optional_text(metadata.tos_uri),
        optional_text(metadata.jwks_uri), text_array_literal(metadata.contacts),
        optional_text(metadata.software_id), optional_text(metadata.software_version));
    return RegisteredClientRecord{detail::read_client(client_row),
                                  read_metadata(registration_row, 0)};
  });
}

Result<std::optional<RegisteredClientRecord>, StorageError> DynamicClientRepository::find(
    std::string_view client_id, std::string_view access_token_hash) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_first(
            tx.exec_prepared("client_registrations_find", std::string(client_id),
                             bytes(access_token_hash)),
            read_registered);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::optional<RegisteredClientRecord>, StorageError> DynamicClientRepository::replace(
    std::string_view client_id, std::string_view access_token_hash, const ClientRecord& client,
    const RegistrationMetadata& metadata, std::string_view new_access_token_hash) {
  return pool_.transact([&](pqxx::work& tx) -> std::optional<RegisteredClientRecord> {
    const auto rotated = tx.exec_prepared(
        "client_registrations_rotate", std::string(client_id), bytes(access_token_hash),
        bytes(new_access_token_hash), optional_text(metadata.client_uri),
        optional_text(metadata.logo_uri), optional_text(metadata.policy_uri),
        optional_text(metadata.tos_uri), optional_text(metadata.jwks_uri),
        text_array_literal(metadata.contacts), optional_text(metadata.software_id),
        optional_text(metadata.software_version));
    if (rotated.empty()) return std::nullopt;
    const auto client_row = tx.exec_prepared1(
        "client_registrations_replace_client", std::string(client_id), client.name,
        client.token_endpoint_auth_method, text_array_literal(client.grant_types),
        text_array_literal(client.scopes), text_array_literal(client.redirect_uris),
        text_array_literal(client.post_logout_redirect_uris));
    return RegisteredClientRecord{detail::read_client(client_row), read_metadata(rotated[0], 0)};
  });
}

Result<bool, StorageError> DynamicClientRepository::remove(std::string_view client_id,
                                                           std::string_view access_token_hash) {
  return pool_.run([&](pqxx::nontransaction& tx) {
    return tx.exec_prepared("client_registrations_delete", std::string(client_id),
                            bytes(access_token_hash))
               .affected_rows() == 1;
  });
}

}  // namespace keyward::storage
