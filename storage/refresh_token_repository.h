#pragma once
// Refresh tokens (RFC 6749 §6), stored as SHA-256 digests only and rotated on every use
// (RFC 9700 §4.14.2): the used token gets rotated_at and replaced_by, its successor is
// inserted, and presenting a rotated token again is reuse, which revokes the whole grant.
// Rotation is one statement, so of two concurrent uses of one token exactly one wins
// (the row lock serialises them and the loser's re-check sees rotated_at).
//
// A retry grace window (KEYWARD_REFRESH_REUSE_GRACE): a client whose answer was lost
// presents the token it just rotated again. When the caller derives successors
// deterministically from the presented token (grants/refresh_token.h), the retry names
// the same successor digest, and within the window, while that successor is still
// unrotated, the rotation answers Replayed instead of revoking: nothing changes and the
// caller hands the same successor out again.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/grant_repository.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct RefreshTokenRecord {
  std::string grant_id;
  std::string client_id;
  std::optional<std::string> user_id;  // the grant's user; nullopt for client grants
  std::vector<std::string> scopes;
  TimePoint created_at;
  TimePoint expires_at;
};

struct Rotation {
  enum class Outcome {
    Rotated,          // `token` is the presented one; its successor is stored
    Replayed,         // a retry within the grace window: `new_hash` was already its
                      // successor and is still unused; nothing changed
    NotFound,         // no such token (or its grant was deleted)
    WrongClient,      // issued to another client: nothing changed
    AlreadyRotated,   // reuse: the grant is now revoked (grant_revoked says if by this call)
    Expired,          // the token's own expiry has passed
    GrantInactive,    // its grant is revoked or expired
    UserDisabled,     // its grant's user is disabled
    ScopeNotGranted,  // the requested scopes are not a subset of the token's
  };
  Outcome outcome = Outcome::NotFound;
  // The presented token, when it was found (for Rotated always).
  std::optional<RefreshTokenRecord> token;
  bool grant_revoked = false;
};

class RefreshTokenRepository {
 public:
  explicit RefreshTokenRepository(Database& database);

  // UniqueViolation ("refresh_tokens_one_live_per_grant") when the grant already has an
  // unrotated token.
  [[nodiscard]] Result<Unit, StorageError> insert(const NewRefreshToken& token);

  // Rotates the token with digest `token_hash` if it is unrotated, unexpired, issued to
  // `client_id`, its grant live and its user (if any) enabled, and `requested_scopes` is a
  // subset of its scopes: the successor `new_hash` inherits its grant, client, scopes and
  // expiry (the grant's lifetime bounds the whole chain). Otherwise nothing changes and the
  // outcome says why, except reuse (AlreadyRotated), which revokes the grant.
  // With `reuse_grace` above zero, a token rotated less than `reuse_grace` before `now`
  // into exactly `new_hash`, whose successor is still unrotated and unexpired (and the
  // grant live, the user enabled, the client and scopes as above), is Replayed, not
  // reuse. The successor's row is locked while this is decided, so a replay and a
  // rotation of the successor never both succeed on a stale view: once the successor
  // has been used, a replay of its predecessor is reuse.
  [[nodiscard]] Result<Rotation, StorageError> rotate(
      std::string_view token_hash, std::string_view client_id,
      const std::vector<std::string>& requested_scopes, std::string_view new_hash, TimePoint now,
      std::chrono::seconds reuse_grace = std::chrono::seconds(0));

  // The token if it is usable now (unrotated, unexpired, grant live, user enabled), for
  // introspection.
  [[nodiscard]] Result<std::optional<RefreshTokenRecord>, StorageError> find_active(
      std::string_view token_hash, TimePoint now);

  // The token whatever its state, for revocation (which must know its client).
  [[nodiscard]] Result<std::optional<RefreshTokenRecord>, StorageError> find(
      std::string_view token_hash);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
