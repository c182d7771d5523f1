#pragma once
// End users (migrations/0001_initial.sql `users`). Usernames are stored
// lower-cased (by PostgreSQL's lower(), on insert and on lookup), so they are unique
// regardless of case.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct UserRecord {
  std::string id;  // UUID, the OIDC sub
  std::string username;
  std::optional<std::string> email;
  bool email_verified = false;
  std::optional<std::string> given_name, family_name;
  // Argon2id PHC string; nullopt for a user who has no Keyward password (signed up through
  // an upstream provider, migrations/0009_federation.sql): no password verifies.
  std::optional<std::string> password_hash;
  bool disabled = false;
  TimePoint created_at{};
  TimePoint updated_at{};

  bool operator==(const UserRecord&) const = default;
};

struct NewUser {
  std::string username;  // lower-cased by the database
  std::optional<std::string> email;
  std::optional<std::string> given_name, family_name;
  std::optional<std::string> password_hash;  // nullopt: no Keyward password (federated)
  // Only when something proved the address: an upstream provider that says so.
  bool email_verified = false;
};

// What ending a user's access took away (DESIGN.md "Tokens": revoking a grant kills every
// access and refresh token issued from it).
struct RevokedAccess {
  uint64_t grants_revoked = 0;  // grants that were live and are now revoked
  uint64_t sessions_ended = 0;  // browser sessions deleted (signed-in or not yet)
};

// The constraint a duplicate username violates, for a clear CLI error.
inline constexpr std::string_view kUsernameTaken = "users_username_key";

class UserRepository {
 public:
  explicit UserRepository(Database& database);

  // UniqueViolation (constraint kUsernameTaken) when the username is taken in any case;
  // CheckViolation for an empty or overlong field or a hash that is not Argon2id.
  [[nodiscard]] Result<UserRecord, StorageError> insert(const NewUser& user);
  // Case-insensitive.
  [[nodiscard]] Result<std::optional<UserRecord>, StorageError> find_by_username(
      std::string_view username);
  // nullopt also for text that is not a UUID.
  [[nodiscard]] Result<std::optional<UserRecord>, StorageError> find_by_id(std::string_view id);
  // The accounts with this e-mail address (compared without case), oldest first, at most
  // `limit`: addresses are not unique.
  [[nodiscard]] Result<std::vector<UserRecord>, StorageError> find_by_email(std::string_view email,
                                                                            size_t limit);
  // By username.
  [[nodiscard]] Result<std::vector<UserRecord>, StorageError> list();
  // The three below return nullopt when there is no such user (nothing changed).
  // Disabling (not enabling) and a new password end the user's access in the same
  // transaction as the change: a password reset after a compromise, or a disabled account,
  // must not leave a thief holding a refresh token, an access token or a signed-in
  // browser. Every live grant of the user is revoked (with offline_access too), which
  // kills its tokens and codes, and every browser session of the user is deleted.
  [[nodiscard]] Result<std::optional<RevokedAccess>, StorageError> set_disabled(
      std::string_view username, bool disabled, TimePoint now);
  [[nodiscard]] Result<std::optional<RevokedAccess>, StorageError> set_password_hash(
      std::string_view username, std::string_view password_hash, TimePoint now);
  // A password reset by a mailed link (accounts/password_recovery.h), in one transaction:
  // the live reset link whose SHA-256 is `link_hash` is used up, its enabled user gets
  // `password_hash`, and the user's access ends as above; when the user's address is not
  // verified, their upstream links (federated_identities) are deleted too (whoever linked
  // the account must not keep a way into what the mailbox's owner now holds). nullopt, with
  // nothing changed,
  // when the link is not live (used, expired, unknown) or its user is disabled. One
  // transaction: a failure never leaves the link used and the password unchanged.
  [[nodiscard]] Result<std::optional<RevokedAccess>, StorageError> reset_password_by_link(
      std::string_view link_hash, std::string_view password_hash, TimePoint now);
  // Ends the user's access as above without changing the account (`keyward user revoke`).
  [[nodiscard]] Result<std::optional<RevokedAccess>, StorageError> revoke_access(
      std::string_view username, TimePoint now);
  // Rehash on login: replaces the hash only if it is still `old_hash`, so a concurrent
  // set-password is never overwritten. Returns whether it replaced it.
  [[nodiscard]] Result<bool, StorageError> replace_password_hash(std::string_view id,
                                                                 std::string_view old_hash,
                                                                 std::string_view new_hash);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
