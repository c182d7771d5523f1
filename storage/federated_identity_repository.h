#pragma once
// Upstream identities linked to Keyward users (migrations/0009_federation.sql
// `federated_identities`): the upstream's (provider, sub) names exactly one Keyward user,
// and a user has at most one identity per provider. The rules of when to link are
// accounts/federated_sign_in.h's; this only stores them.
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

struct FederatedIdentity {
  std::string provider;  // identity_providers.name
  std::string subject;   // the upstream's sub
  std::string user_id;
  std::optional<std::string> email;  // what the upstream said last, for the account page
  std::string provider_label;        // identity_providers.button_label
  TimePoint created_at{};
  TimePoint last_used_at{};
};

struct NewFederatedIdentity {
  std::string provider;
  std::string subject;
  std::string user_id;
  std::optional<std::string> email;
};

enum class LinkOutcome {
  Linked,
  IdentityTaken,          // this upstream identity is linked (to this user or another)
  ProviderAlreadyLinked,  // the user has another identity of this provider linked
  Gone,                   // the user or the provider no longer exists
};

// What create_user_and_link did; the user is set only when Created.
struct CreatedAndLinked {
  enum class Outcome {
    Created,        // the user exists and the identity is linked to them
    UsernameTaken,  // nothing created: pick another username
    IdentityTaken,  // nothing created: the identity was linked meanwhile (a concurrent sign-in)
    Gone,           // nothing created: the provider no longer exists
  } outcome = Outcome::Gone;
  std::optional<UserRecord> user;
};

enum class UnlinkOutcome {
  Unlinked,
  NotLinked,        // the user has no identity of this provider
  LastWayToSignIn,  // no password and no other link: refused, nothing changed
};

class FederatedIdentityRepository {
 public:
  explicit FederatedIdentityRepository(Database& database);

  // The link of this upstream identity, or nullopt.
  [[nodiscard]] Result<std::optional<FederatedIdentity>, StorageError> find(
      std::string_view provider, std::string_view subject);

  // Links the identity to its user; the unique and foreign keys decide, so two racing links
  // of one identity give one Linked and one IdentityTaken.
  [[nodiscard]] Result<LinkOutcome, StorageError> link(const NewFederatedIdentity& identity);

  // A new user (federated sign-up: no password) and the link of `identity` to them, in one
  // transaction: either both exist afterwards or neither. identity.user_id is ignored.
  [[nodiscard]] Result<CreatedAndLinked, StorageError> create_user_and_link(
      const NewUser& user, const NewFederatedIdentity& identity);

  // The user's links, by provider.
  [[nodiscard]] Result<std::vector<FederatedIdentity>, StorageError> list_for_user(
      std::string_view user_id);

  // Removes the user's link to `provider` unless it is their last way to sign in (they
  // have no Keyward password and no other link). One transaction holding the user's row,
  // so two concurrent unlinks of a password-less user's two links cannot both succeed.
  [[nodiscard]] Result<UnlinkOutcome, StorageError> unlink(std::string_view user_id,
                                                           std::string_view provider);

  // After a sign-in through the identity: last_used_at = now, and the e-mail the upstream
  // says now (NULL when it said none).
  [[nodiscard]] Result<Unit, StorageError> touch(std::string_view provider,
                                                 std::string_view subject,
                                                 const std::optional<std::string>& email,
                                                 TimePoint now);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
