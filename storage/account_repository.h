#pragma once
// What the account page (GET/POST /account, docs/accounts.md "The account page") and the
// `keyward user` commands read and change of one user's own account: their profile,
// password, browser sessions, connected applications, and the account itself. Every
// statement names the user, so one user can never act on another's sessions or grants.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"
#include "storage/user_repository.h"

namespace keyward::storage {

// A live browser session of the user, as the account page lists it.
struct UserSession {
  std::string id_hash;  // SHA-256 of the cookie value: never the cookie itself
  TimePoint created_at;
  TimePoint last_seen_at;
  std::optional<std::string> ip_address;
  std::optional<std::string> user_agent;
};

// A client the user has consented to or holds live grants for.
struct ConnectedApplication {
  std::string client_id;
  std::string client_name;
  std::vector<std::string> scopes;  // what the consent and the live grants hold, sorted
  bool consented = false;           // a remembered consent exists
  uint64_t live_grants = 0;
};

struct ProfileUpdate {
  std::optional<std::string> given_name, family_name, email;
};

enum class EmailVerificationMark { Verified, NoSuchUser, NoEmail };

class AccountRepository {
 public:
  explicit AccountRepository(Database& database);

  // The user's sessions live at `now` (before expires_at, seen within `idle_timeout`),
  // most recently seen first.
  [[nodiscard]] Result<std::vector<UserSession>, StorageError> sessions(
      std::string_view user_id, TimePoint now, std::chrono::seconds idle_timeout);

  // Ends one session of the user as logout does (SessionRepository::end): its grants are
  // revoked except those holding offline_access, and it is deleted. false when the user
  // has no such session (another user's session is never touched). One transaction.
  [[nodiscard]] Result<bool, StorageError> end_session(std::string_view user_id,
                                                       std::string_view id_hash, TimePoint now);

  // Ends every session of the user, each as logout does. Returns how many. One transaction.
  [[nodiscard]] Result<uint64_t, StorageError> end_all_sessions(std::string_view user_id,
                                                                TimePoint now);

  // Stores the profile; the e-mail, when it differs from the stored one, becomes
  // unverified. The updated user, or nullopt when it is gone. CheckViolation for a field
  // over its column limit.
  [[nodiscard]] Result<std::optional<UserRecord>, StorageError> update_profile(
      std::string_view user_id, const ProfileUpdate& profile);

  // Replaces the password hash if it is still `old_hash` (the one just verified: a
  // concurrent change is never overwritten), then revokes every live grant of the user
  // (offline_access too) and deletes every other browser session: the current one,
  // `keep_session_hash`, stays signed in. false when the hash had changed meanwhile (or
  // the user is gone), nothing done. One transaction.
  [[nodiscard]] Result<bool, StorageError> change_password(std::string_view user_id,
                                                           std::string_view old_hash,
                                                           std::string_view new_hash,
                                                           std::string_view keep_session_hash,
                                                           TimePoint now);

  // The clients the user consented to or holds live grants for, by name.
  [[nodiscard]] Result<std::vector<ConnectedApplication>, StorageError> applications(
      std::string_view user_id, TimePoint now);

  // Forgets the user's consent for the client and revokes every live grant of the user
  // for it (offline_access too), which kills their refresh and access tokens. false when
  // there was nothing to revoke. One transaction.
  [[nodiscard]] Result<bool, StorageError> revoke_application(std::string_view user_id,
                                                              std::string_view client_id,
                                                              TimePoint now);

  // Revokes every grant of the user (introspection then calls their access tokens
  // inactive even before the rows go), then deletes the user if its password hash is
  // still `password_hash` (nullopt: still none, a federated-only user); sessions, grants,
  // consents, codes and links go with it (ON DELETE CASCADE). false when the hash had
  // changed (nothing done). One transaction.
  [[nodiscard]] Result<bool, StorageError> delete_user(
      std::string_view user_id, const std::optional<std::string>& password_hash, TimePoint now);

  // `keyward user verify-email`: marks the user's e-mail verified.
  [[nodiscard]] Result<EmailVerificationMark, StorageError> mark_email_verified(
      std::string_view username);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
