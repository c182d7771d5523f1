#pragma once
// The upstream OpenID providers the operator registered with `keyward idp add`
// (migrations/0009_federation.sql `identity_providers`). The client secret is here only
// sealed (federation/provider_secret.h); this repository never sees it in clear.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct IdentityProviderRecord {
  std::string name;
  std::string issuer;
  std::string client_id;
  std::string client_secret_sealed;  // aead ciphertext, never the secret
  std::vector<std::string> scopes;
  std::string button_label;
  TimePoint created_at{};  // set by the database; ignored by insert
  TimePoint updated_at{};

  bool operator==(const IdentityProviderRecord&) const = default;
};

class IdentityProviderRepository {
 public:
  explicit IdentityProviderRepository(Database& database);

  enum class InsertOutcome { Inserted, NameTaken };
  // NameTaken when a provider of that name exists (nothing changed); CheckViolation when
  // the row breaks a table rule (a bad name, no "openid" scope, an empty label).
  [[nodiscard]] Result<InsertOutcome, StorageError> insert(const IdentityProviderRecord& provider);
  // In name order (the order of the login page's buttons).
  [[nodiscard]] Result<std::vector<IdentityProviderRecord>, StorageError> list();
  [[nodiscard]] Result<std::optional<IdentityProviderRecord>, StorageError> find(
      std::string_view name);
  // false when there is no such provider. Its linked identities and the flows under way go
  // with it (ON DELETE CASCADE).
  [[nodiscard]] Result<bool, StorageError> remove(std::string_view name);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
