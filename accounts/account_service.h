#pragma once
// What a signed-in user may do with their own account on the account page
// (docs/accounts.md "The account page"): read it, change the profile and the password,
// end browser sessions, disconnect applications, delete the account. Plain C++ over
// storage/ (AccountRepository), grants/ (the password check, throttled as sign-in is)
// and EmailVerification; no HTTP. Every call names the user it acts for, and every
// statement below it is bound to that user.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/email_verification.h"
#include "common/clock.h"
#include "common/result.h"
#include "grants/password_hash.h"
#include "grants/user_authenticator.h"
#include "storage/account_repository.h"
#include "storage/federated_identity_repository.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

// Why an action was not done.
struct AccountProblem {
  enum class Kind {
    Refused,     // bad input or a wrong password: `message` is for people (400)
    Throttled,   // too many wrong passwords: `message` for people, retry_after set (429)
    Unavailable  // storage failed: `message` is for the log only (503)
  };
  Kind kind = Kind::Refused;
  std::string message;
  std::optional<std::chrono::seconds> retry_after;
};

// What a user without a Keyward password (federated sign-in only) is told when an action
// needs their current password.
inline constexpr std::string_view kNoPasswordYet =
    "Your account has no Keyward password yet. Set one with \"Forgot your password?\" on the "
    "sign-in page (it is mailed to your address), then try again.";

template <typename T>
using AccountResult = Result<T, AccountProblem>;

struct AccountOverview {
  std::vector<storage::UserSession> sessions;
  std::vector<storage::ConnectedApplication> applications;
  std::vector<storage::FederatedIdentity> linked_providers;  // by provider
};

// The profile form as typed: trimmed and checked by update_profile; empty means unset.
struct ProfileForm {
  std::string given_name, family_name, email;
  // Needed only when the address changes: whoever holds a stolen session must not be able
  // to point the account's recovery mails at their own mailbox.
  std::string current_password;
};

class AccountService {
 public:
  // `verification` may be null (no mail pipeline composed): e-mail changes are then
  // stored unverified without a mail.
  AccountService(storage::AccountRepository& accounts, storage::UserRepository& users,
                 grants::UserAuthenticator& authenticator, EmailVerification* verification,
                 const Clock& clock, grants::Argon2Params params,
                 std::chrono::seconds session_idle_timeout,
                 storage::FederatedIdentityRepository* identities = nullptr);

  // The user a session names if it may use the account page: it exists and is not
  // disabled (a disabled user is treated as signed out); nullopt otherwise.
  [[nodiscard]] AccountResult<std::optional<storage::UserRecord>> active_user(
      std::string_view user_id);

  [[nodiscard]] AccountResult<AccountOverview> overview(const storage::UserRecord& user);

  // Names (up to 200 characters) and an e-mail address (sign-up's rules); a changed address
  // needs the current password (checked and throttled as sign-in is), is stored
  // unverified, and a verification link is sent to it. Returns the names of the fields
  // that changed ("given_name", "family_name", "email").
  [[nodiscard]] AccountResult<std::vector<std::string>> update_profile(
      const storage::UserRecord& user, const ProfileForm& form, const MailRequester& requester);

  // Sends the verification link again (nothing to do when verified or without e-mail).
  [[nodiscard]] AccountResult<Unit> resend_verification(const storage::UserRecord& user,
                                                        const MailRequester& requester);

  // Checks `current` (Argon2id, throttled per account and address like sign-in: call from
  // the worker pool), the new password against accounts::password_problem and
  // `confirmation`, then stores it, revokes every grant of the user (offline_access
  // too) and ends every browser session but `current_session_hash`.
  [[nodiscard]] AccountResult<Unit> change_password(const storage::UserRecord& user,
                                                    std::string_view current_session_hash,
                                                    std::string_view current,
                                                    std::string_view new_password,
                                                    std::string_view confirmation,
                                                    std::string_view client_ip);

  // Ends one of the user's sessions as logout does; Refused when it is not theirs (or
  // gone already).
  [[nodiscard]] AccountResult<Unit> end_session(const storage::UserRecord& user,
                                                std::string_view id_hash);
  // Ends every session of the user, the current one too, each as logout does.
  [[nodiscard]] AccountResult<uint64_t> end_all_sessions(const storage::UserRecord& user);

  // Forgets the consent and revokes every grant of the user for the client.
  [[nodiscard]] AccountResult<Unit> revoke_application(const storage::UserRecord& user,
                                                       std::string_view client_id);

  // Unlinks the user's identity at `provider`; refused when it is their last way to sign in
  // (no Keyward password and no other link), or not linked.
  [[nodiscard]] AccountResult<Unit> unlink_provider(const storage::UserRecord& user,
                                                    std::string_view provider);

  // Checks the password (as change_password does), revokes every grant and deletes the
  // user with everything that hangs on it.
  [[nodiscard]] AccountResult<Unit> delete_account(const storage::UserRecord& user,
                                                   std::string_view password,
                                                   std::string_view client_ip);

 private:
  // The stored hash after `password` proved right, or the problem to report.
  AccountResult<std::string> check_password(const storage::UserRecord& user,
                                            std::string_view password, std::string_view client_ip);

  storage::AccountRepository& accounts_;
  storage::UserRepository& users_;
  grants::UserAuthenticator& authenticator_;
  EmailVerification* verification_;
  const Clock& clock_;
  grants::Argon2Params params_;
  std::chrono::seconds idle_timeout_;
  storage::FederatedIdentityRepository* identities_;  // null: no federation composed
};

}  // namespace keyward::accounts
