#pragma once
// End users (migrations/0001_initial.sql `users`; issue 4). Usernames are stored
// lower-cased (by PostgreSQL's lower(), on insert and on lookup), so they are unique
// regardless of case.
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
  std::string password_hash;  // Argon2id PHC string
  bool disabled = false;
  TimePoint created_at{};
  TimePoint updated_at{};

  bool operator==(const UserRecord&) const = default;
};

struct NewUser {
  std::string username;  // lower-cased by the database
  std::optional<std::string> email;
  std::optional<std::string> given_name, family_name;
  std::string password_hash;
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
  // By username.
  [[nodiscard]] Result<std::vector<UserRecord>, StorageError> list();
  // false when there is no such user.
  [[nodiscard]] Result<bool, StorageError> set_disabled(std::string_view username, bool disabled);
  [[nodiscard]] Result<bool, StorageError> set_password_hash(std::string_view username,
                                                             std::string_view password_hash);
  // Rehash on login: replaces the hash only if it is still `old_hash`, so a concurrent
  // set-password is never overwritten. Returns whether it replaced it.
  [[nodiscard]] Result<bool, StorageError> replace_password_hash(std::string_view id,
                                                                 std::string_view old_hash,
                                                                 std::string_view new_hash);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
