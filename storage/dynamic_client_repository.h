#pragma once
// Dynamically registered clients (RFC 7591, RFC 7592; migration 0010
// `client_registrations`): a `clients` row plus the registration access token's hash and
// the metadata Keyward echoes back. Every call that touches an existing registration
// names it by client id AND token hash, so a wrong token and an unknown client look the
// same (no existence leak) and a token rotated by a concurrent update stops working at
// once. The rules are grants/dynamic_registration.h's; this is the tables.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/client_repository.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

// RFC 7591 §2 metadata stored only to be returned.
struct RegistrationMetadata {
  std::optional<std::string> client_uri, logo_uri, policy_uri, tos_uri, jwks_uri;
  std::vector<std::string> contacts;
  std::optional<std::string> software_id, software_version;

  bool operator==(const RegistrationMetadata&) const = default;
};

struct RegisteredClientRecord {
  ClientRecord client;
  RegistrationMetadata metadata;

  bool operator==(const RegisteredClientRecord&) const = default;
};

class DynamicClientRepository {
 public:
  explicit DynamicClientRepository(Database& database);

  struct Refused {};  // the initial access token cannot be used (unknown, expired, spent)

  // In one transaction: counts one use of the initial access token with
  // `initial_token_hash` (when given; registration_token_repository.h consume()), then
  // stores the client and its registration. Refused (nothing stored) when the token cannot
  // be used; UniqueViolation when the id is taken.
  [[nodiscard]] Result<std::variant<RegisteredClientRecord, Refused>, StorageError> insert(
      const ClientRecord& client, const RegistrationMetadata& metadata,
      std::string_view access_token_hash, std::optional<std::string> initial_token_hash,
      TimePoint now);

  // The client when it was registered dynamically and `access_token_hash` is its current
  // registration access token's; nullopt otherwise.
  [[nodiscard]] Result<std::optional<RegisteredClientRecord>, StorageError> find(
      std::string_view client_id, std::string_view access_token_hash);

  // RFC 7592 §2.2, full replacement: when `access_token_hash` is still current, replaces
  // the client's name, token_endpoint_auth_method, grant types, scopes, redirect URIs and
  // post-logout redirect URIs from `client` (its id, secret, type and the operator's flags
  // are kept), replaces the metadata, and rotates the token to `new_access_token_hash`, in
  // one transaction. nullopt (nothing changed) when the token is not current.
  [[nodiscard]] Result<std::optional<RegisteredClientRecord>, StorageError> replace(
      std::string_view client_id, std::string_view access_token_hash, const ClientRecord& client,
      const RegistrationMetadata& metadata, std::string_view new_access_token_hash);

  // RFC 7592 §2.3: deletes the client (its grants, codes, refresh tokens, consents and the
  // registration go with it) when `access_token_hash` is current; false otherwise.
  [[nodiscard]] Result<bool, StorageError> remove(std::string_view client_id,
                                                  std::string_view access_token_hash);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
