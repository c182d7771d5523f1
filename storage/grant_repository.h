#pragma once
// Grants (DESIGN.md "Tokens"): one authorization given to one client, for one user or for
// the client itself. A grant's id is the `gid` claim of every access token issued from
// it, and its expires_at bounds every token of it: revoking or deleting the grant kills
// its access tokens (introspection), its refresh tokens and its codes (ON DELETE CASCADE).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct NewGrant {
  std::string id;
  std::string client_id;
  std::optional<std::string> user_id;          // the user's UUID; nullopt for client grants
  std::optional<std::string> session_id_hash;  // SHA-256 of the browser session id
  std::vector<std::string> scopes;             // no element may contain a space
  TimePoint created_at;
  TimePoint expires_at;
};

// A refresh token as it is stored: its SHA-256 digest, never the token.
struct NewRefreshToken {
  std::string token_hash;  // 32 bytes
  std::string grant_id;
  std::string client_id;
  std::vector<std::string> scopes;  // no element may contain a space
  TimePoint created_at;
  TimePoint expires_at;
};

struct GrantRecord {
  std::string id;
  std::string client_id;
  std::optional<std::string> user_id;
  std::vector<std::string> scopes;
  bool standing = false;
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> revoked_at;
};

// The grant a client-credentials token names.
struct StandingGrant {
  std::string id;
  TimePoint expires_at;
};

class GrantRepository {
 public:
  explicit GrantRepository(Database& database);

  // ForeignKeyViolation when the client or user does not exist (any more).
  [[nodiscard]] Result<Unit, StorageError> create(const NewGrant& grant);

  // The grant and its first refresh token in one statement: both or neither.
  [[nodiscard]] Result<Unit, StorageError> create_with_refresh_token(
      const NewGrant& grant, const NewRefreshToken& refresh_token);

  // The client's standing grant (migration 0005) if it is live and lasts at least until
  // `min_expiry`; otherwise `fresh` (its id, scopes and times; user and session must be
  // empty) becomes the standing grant, the old one ceasing to be standing but living out
  // its expiry, so tokens already issued from it stay valid. Two instances asking at the
  // same moment get the same grant. One statement when the grant exists, a transaction
  // of three when it must be created.
  [[nodiscard]] Result<StandingGrant, StorageError> standing_grant(std::string_view client_id,
                                                                   TimePoint min_expiry,
                                                                   const NewGrant& fresh);

  // Marks the grant revoked; false when it does not exist or was revoked already.
  [[nodiscard]] Result<bool, StorageError> revoke(std::string_view grant_id, TimePoint now);

  [[nodiscard]] Result<std::optional<GrantRecord>, StorageError> find(std::string_view grant_id);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
