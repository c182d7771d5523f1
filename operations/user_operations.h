#pragma once
// What an operator does to user accounts (`keyward user …`, /admin/v1/users): the rules
// for a new account's fields and an operator-set password, and the changes that end a
// user's access in the same transaction (storage/user_repository.h).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "grants/password_hash.h"
#include "operations/actor.h"
#include "operations/operation_error.h"
#include "operations/page.h"
#include "storage/account_repository.h"
#include "storage/database.h"
#include "storage/user_repository.h"

namespace keyward::operations {

// An operator-set password: 8 to 1024 bytes (NIST SP 800-63B §5.1.1.2's floor; the
// login form's limit). Operators are trusted with the choice beyond that.
inline constexpr size_t kMinOperatorPassword = 8;
inline constexpr size_t kMaxOperatorPassword = 1024;

struct NewUserInput {
  std::string username;
  std::optional<std::string> email, given_name, family_name;
};

// Profile fields to change; an empty string clears an optional field.
struct UserProfileChange {
  std::optional<std::string> email, given_name, family_name;
};

struct UserFilter {
  // Case-insensitive substring of the username or the e-mail address.
  std::optional<std::string> search;
};

struct UserWithRevocation {
  storage::UserRecord user;
  std::optional<storage::RevokedAccess> revoked;  // for disable, set-password, revoke
};

// Who the operation is about: the username (the CLI) or the id, the OIDC sub (the API).
struct UserRef {
  enum class By { Username, Id } by = By::Username;
  std::string value;
  [[nodiscard]] static UserRef username(std::string name) {
    return {By::Username, std::move(name)};
  }
  [[nodiscard]] static UserRef id(std::string id) { return {By::Id, std::move(id)}; }
};

[[nodiscard]] nlohmann::ordered_json describe_user(const storage::UserRecord& user);
[[nodiscard]] nlohmann::ordered_json describe_session(const storage::UserSession& session);
[[nodiscard]] nlohmann::ordered_json describe_revocation(const storage::RevokedAccess& revoked);

// The first problem of a new account's fields (Invalid, naming the field), or nothing.
[[nodiscard]] std::optional<OperationError> new_user_problem(const NewUserInput& user);
// "at least 8 bytes" / "longer than 1024 bytes", or nothing.
[[nodiscard]] std::optional<OperationError> operator_password_problem(std::string_view password);

class UserOperations {
 public:
  // Every change is reported to `events` (user_created, user_changed with the field
  // names, password_changed, consent_revoked, user_deleted) as done by `actor`.
  UserOperations(storage::Database& database, grants::Argon2Params argon2,
                 std::chrono::seconds session_idle_timeout, audit::EventSink& events, Actor actor);

  // The same operations, reported as done by `actor` (an admin API request).
  [[nodiscard]] UserOperations acting(Actor actor) const;

  [[nodiscard]] Result<std::vector<storage::UserRecord>, OperationError> list();
  // By username.
  [[nodiscard]] Result<Page<storage::UserRecord>, OperationError> list_page(
      const UserFilter& filter, const PageRequest& page);
  [[nodiscard]] Result<storage::UserRecord, OperationError> show(const UserRef& user);

  // Conflict ("username") when the username is taken.
  [[nodiscard]] Result<storage::UserRecord, OperationError> create(const NewUserInput& user,
                                                                   const std::string& password);
  [[nodiscard]] Result<storage::UserRecord, OperationError> update_profile(
      const UserRef& user, const UserProfileChange& change);
  [[nodiscard]] Result<UserWithRevocation, OperationError> set_disabled(const UserRef& user,
                                                                        bool disabled,
                                                                        TimePoint now);
  [[nodiscard]] Result<UserWithRevocation, OperationError> set_password(const UserRef& user,
                                                                        const std::string& password,
                                                                        TimePoint now);
  [[nodiscard]] Result<UserWithRevocation, OperationError> revoke(const UserRef& user,
                                                                  TimePoint now);
  // Conflict when the user has no e-mail address.
  [[nodiscard]] Result<storage::UserRecord, OperationError> verify_email(const UserRef& user);
  [[nodiscard]] Result<std::vector<storage::UserSession>, OperationError> sessions(
      const UserRef& user, TimePoint now);
  // Ends every session of the user as logout does; how many.
  [[nodiscard]] Result<uint64_t, OperationError> end_sessions(const UserRef& user, TimePoint now);
  [[nodiscard]] Result<std::vector<storage::ConnectedApplication>, OperationError> consents(
      const UserRef& user, TimePoint now);
  // NotFound when the user has no consent or live grant for the client.
  [[nodiscard]] Result<Unit, OperationError> revoke_consent(const UserRef& user,
                                                            const std::string& client_id,
                                                            TimePoint now);
  // Deletes the account with its sessions, grants, consents (every grant revoked first).
  [[nodiscard]] Result<Unit, OperationError> remove(const UserRef& user, TimePoint now);

 private:
  storage::Database& database_;
  grants::Argon2Params argon2_;
  std::chrono::seconds session_idle_timeout_;
  audit::EventSink* events_;
  Actor actor_;
};

}  // namespace keyward::operations
