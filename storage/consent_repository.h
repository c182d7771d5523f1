#pragma once
// Remembered consent (DESIGN.md "Browser flows"; migrations/0001_initial.sql `consents`):
// per user and client, the scopes the user has allowed. The consent page is shown again
// when a request asks for a scope outside this set (OIDC Core §3.1.2.4).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

class ConsentRepository {
 public:
  explicit ConsentRepository(Database& database);

  // The scopes the user allowed the client (sorted); nullopt when never asked.
  [[nodiscard]] Result<std::optional<std::vector<std::string>>, StorageError> find(
      std::string_view user_id, std::string_view client_id);

  // Adds `scopes` to what the user allowed the client (a union: allowing a narrower
  // request never forgets a wider one). One upsert. ForeignKeyViolation when the user or
  // client is gone.
  [[nodiscard]] Result<Unit, StorageError> remember(std::string_view user_id,
                                                    std::string_view client_id,
                                                    const std::vector<std::string>& scopes,
                                                    TimePoint now);

  // Forgets it: the next request asks again. false when there was nothing to forget.
  [[nodiscard]] Result<bool, StorageError> revoke(std::string_view user_id,
                                                  std::string_view client_id);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
