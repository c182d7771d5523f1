#pragma once
// Who a sign-in through an upstream provider ("Sign in with Google") is, in Keyward
// (docs/accounts.md "Linked providers"). No HTTP and no upstream calls: the server
// verified the upstream's ID token (federation/upstream.h) and hands over what it says.
//
//   1. The upstream identity (provider, sub) is linked: that user (a disabled one is
//      refused).
//   2. Else, the upstream says the address is verified (`email_verified: true`) and a
//      Keyward user has that address, verified in Keyward too: the user must confirm with
//      their Keyward password before anything is linked (ConfirmLink).
//   3. Else, registration is open: a new user without a password, created and linked in
//      one transaction. It takes the upstream's address only when the upstream verified it
//      (`email_verified: true`); otherwise the account has no address at all, so an
//      unproven claim never puts someone's address (and its password-reset mail) on it.
//      When a concurrent first sign-in of the same identity created its account first,
//      that account signs in; when the provider was removed meanwhile, refused.
//   4. Else: refused, nothing created.
// An unverified upstream address never links to an existing account.
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/federated_identity_repository.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

// What the upstream's verified ID token says (federation::UpstreamIdentity), with the
// provider's button label for the messages.
struct UpstreamAccount {
  std::string provider;
  std::string provider_label;  // "Google"
  std::string subject;
  std::optional<std::string> email;
  bool email_verified = false;
  std::optional<std::string> given_name, family_name, preferred_username;
};

struct FederatedOutcome {
  enum class Kind {
    SignIn,       // user_id signs in (created says whether the account is new)
    ConfirmLink,  // link_user must confirm with their Keyward password
    Refused,      // message is for people
  };
  Kind kind = Kind::Refused;
  std::string user_id;
  bool created = false;
  std::optional<storage::UserRecord> link_user;
  std::string message;
  // Why Refused, for the audit event: "disabled" (user_id is then the linked account's)
  // or "federation".
  std::string refusal = "federation";
};

class FederatedSignIn {
 public:
  FederatedSignIn(storage::FederatedIdentityRepository& identities, storage::UserRepository& users,
                  const Clock& clock, bool registration_open)
      : identities_(identities),
        users_(users),
        clock_(clock),
        registration_open_(registration_open) {}

  // The decision above; the error is a storage failure (for the log).
  [[nodiscard]] Result<FederatedOutcome, std::string> sign_in(const UpstreamAccount& upstream);

  // After `user` proved their Keyward password on the confirmation page: links the
  // identity and signs them in; refused when it was linked meanwhile (to anyone), the user
  // already has another identity of this provider, or the user is gone or disabled.
  [[nodiscard]] Result<FederatedOutcome, std::string> confirm_link(const UpstreamAccount& upstream,
                                                                   const storage::UserRecord& user);

 private:
  // may_create: false on the one retry after a concurrent sign-in linked the identity.
  Result<FederatedOutcome, std::string> sign_in(const UpstreamAccount& upstream, bool may_create);
  Result<FederatedOutcome, std::string> create_user(const UpstreamAccount& upstream);

  storage::FederatedIdentityRepository& identities_;
  storage::UserRepository& users_;
  const Clock& clock_;
  bool registration_open_;
};

// A valid, likely unique username (account_details.h rules) made from what the upstream
// says: preferred_username, else the address's local part, else "<provider>-<sub>";
// characters outside [A-Za-z0-9._-] dropped, cut to fit, padded when too short.
[[nodiscard]] std::string username_from_upstream(const UpstreamAccount& upstream);

}  // namespace keyward::accounts
