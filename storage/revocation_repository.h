#pragma once
// Access-token revocation state (DESIGN.md "Tokens", RFC 7009, RFC 7662): access tokens
// are JWTs and never stored, so an access token is live when its grant (`gid`) is live
// and its `jti` is not on the deny-list; revoking one records its jti until it would have
// expired anyway, after which the janitor drops the row.
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

class RevocationRepository {
 public:
  explicit RevocationRepository(Database& database);

  // One statement: the grant exists, is neither revoked nor expired at `now`, its user
  // (if any) is not disabled, and the jti is not revoked.
  [[nodiscard]] Result<bool, StorageError> access_token_active(std::string_view grant_id,
                                                               std::string_view jti, TimePoint now);

  // Idempotent: revoking a revoked jti again changes nothing.
  [[nodiscard]] Result<Unit, StorageError> revoke_access_token(std::string_view jti,
                                                               TimePoint expires_at);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
