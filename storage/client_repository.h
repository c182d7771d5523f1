#pragma once
// Registered clients (migrations/0001_initial.sql `clients`). The secret is
// never here: only its HMAC (grants/client_secret.h).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct ClientRecord {
  std::string client_id;
  std::optional<std::string> secret_hmac;  // 32 bytes; nullopt for public clients
  std::string name;
  bool confidential = true;
  bool first_party = false;
  std::string token_endpoint_auth_method;
  std::vector<std::string> grant_types, scopes, redirect_uris, post_logout_redirect_uris, audiences;
  bool may_introspect = false;  // RFC 7662: answered about any access token
  TimePoint created_at{};       // set by the database; ignored by insert
  TimePoint updated_at{};

  bool operator==(const ClientRecord&) const = default;
};

class ClientRepository {
 public:
  explicit ClientRepository(Database& database);

  // UniqueViolation ("clients_pkey") when the id is taken; CheckViolation when the row
  // breaks a table rule (a public client with a secret, client_credentials for a public
  // client, an unknown grant type).
  [[nodiscard]] Result<ClientRecord, StorageError> insert(const ClientRecord& client);
  [[nodiscard]] Result<std::optional<ClientRecord>, StorageError> find(std::string_view client_id);
  // Oldest first.
  [[nodiscard]] Result<std::vector<ClientRecord>, StorageError> list();
  // false when there is no such client; CheckViolation for a public client.
  [[nodiscard]] Result<bool, StorageError> update_secret(std::string_view client_id,
                                                         std::string_view secret_hmac);
  // Marks the client first-party (the operator's own app) or not; false when there is no
  // such client.
  [[nodiscard]] Result<bool, StorageError> set_first_party(std::string_view client_id,
                                                           bool first_party);
  // false when there is no such client; CheckViolation for a public client.
  [[nodiscard]] Result<bool, StorageError> set_may_introspect(std::string_view client_id,
                                                              bool may_introspect);
  // false when there is no such client. Its grants, codes, refresh tokens and consents go
  // with it (ON DELETE CASCADE).
  [[nodiscard]] Result<bool, StorageError> remove(std::string_view client_id);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
