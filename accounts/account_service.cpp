#include "accounts/account_service.h"

#include <algorithm>

#include "accounts/account_details.h"
#include "accounts/password_policy.h"
#include "common/text.h"

namespace keyward::accounts {
namespace {

using storage::UserRecord;

AccountProblem refused(std::string message) {
  return AccountProblem{AccountProblem::Kind::Refused, std::move(message), std::nullopt};
}

AccountProblem unavailable(const storage::StorageError& error, std::string_view what) {
  return AccountProblem{AccountProblem::Kind::Unavailable, std::string(what) + ": " + error.message,
                        std::nullopt};
}

std::string_view trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// A name as typed, trimmed; empty means none. The sign-up form's rules (account_details.h).
Result<std::optional<std::string>, AccountProblem> name_field(std::string_view typed,
                                                              std::string_view label) {
  const auto name = trimmed(typed);
  if (name.empty()) return std::optional<std::string>();
  if (auto problem = name_problem(name, label)) return err(refused(std::move(*problem)));
  return std::optional<std::string>(std::string(name));
}

// An address as typed, trimmed; empty means none. The sign-up form's rules
// (account_details.h), so the account page cannot store an address sign-up, /recover or
// the mail sender would refuse; whether it receives mail is what the verification link
// proves.
Result<std::optional<std::string>, AccountProblem> email_field(std::string_view typed) {
  const auto email = trimmed(typed);
  if (email.empty()) return std::optional<std::string>();
  if (auto problem = email_problem(email)) return err(refused(std::move(*problem)));
  return std::optional<std::string>(std::string(email));
}

}  // namespace

AccountService::AccountService(storage::AccountRepository& accounts, storage::UserRepository& users,
                               grants::UserAuthenticator& authenticator,
                               EmailVerification* verification, const Clock& clock,
                               grants::Argon2Params params,
                               std::chrono::seconds session_idle_timeout,
                               storage::FederatedIdentityRepository* identities)
    : accounts_(accounts),
      users_(users),
      authenticator_(authenticator),
      verification_(verification),
      clock_(clock),
      params_(params),
      idle_timeout_(session_idle_timeout),
      identities_(identities) {}

AccountResult<std::optional<UserRecord>> AccountService::active_user(std::string_view user_id) {
  auto found = users_.find_by_id(user_id);
  if (!found.ok()) return err(unavailable(found.error(), "user lookup"));
  if (!*found || (*found)->disabled) return std::optional<UserRecord>();
  return std::move(found).value();
}

AccountResult<AccountOverview> AccountService::overview(const UserRecord& user) {
  const TimePoint now = clock_.now();
  auto sessions = accounts_.sessions(user.id, now, idle_timeout_);
  if (!sessions.ok()) return err(unavailable(sessions.error(), "sessions"));
  auto applications = accounts_.applications(user.id, now);
  if (!applications.ok()) return err(unavailable(applications.error(), "applications"));
  AccountOverview out{std::move(sessions).value(), std::move(applications).value(), {}};
  if (identities_ != nullptr) {
    auto linked = identities_->list_for_user(user.id);
    if (!linked.ok()) return err(unavailable(linked.error(), "linked providers"));
    out.linked_providers = std::move(linked).value();
  }
  return out;
}

AccountResult<std::vector<std::string>> AccountService::update_profile(
    const UserRecord& user, const ProfileForm& form, const MailRequester& requester) {
  auto given = name_field(form.given_name, "The given name");
  if (!given.ok()) return err(std::move(given).error());
  auto family = name_field(form.family_name, "The family name");
  if (!family.ok()) return err(std::move(family).error());
  auto email = email_field(form.email);
  if (!email.ok()) return err(std::move(email).error());
  if (*email != user.email) {
    auto checked = check_password(user, form.current_password, requester.client_ip);
    if (!checked.ok()) {
      auto problem = std::move(checked).error();
      if (form.current_password.empty() && user.password_hash) {
        problem.message = "Enter your current password to change your e-mail address.";
      }
      return err(std::move(problem));
    }
  }

  auto updated = accounts_.update_profile(
      user.id, storage::ProfileUpdate{std::move(given).value(), std::move(family).value(),
                                      std::move(email).value()});
  if (!updated.ok()) return err(unavailable(updated.error(), "profile update"));
  if (!*updated) return err(refused("This account no longer exists."));
  const UserRecord& stored = **updated;
  std::vector<std::string> changed;
  if (stored.given_name != user.given_name) changed.emplace_back("given_name");
  if (stored.family_name != user.family_name) changed.emplace_back("family_name");
  const bool email_changed = stored.email != user.email;
  if (email_changed) changed.emplace_back("email");
  if (email_changed && stored.email) {
    // The change is stored whatever becomes of the mail: the page offers to send it again.
    (void)resend_verification(stored, requester);
  }
  return changed;
}

AccountResult<Unit> AccountService::resend_verification(const UserRecord& user,
                                                        const MailRequester& requester) {
  if (!user.email || user.email_verified || verification_ == nullptr) return Unit{};
  auto sent = verification_->send(user, requester);
  if (!sent.ok()) {
    return err(AccountProblem{AccountProblem::Kind::Unavailable,
                              "verification mail: " + sent.error(), std::nullopt});
  }
  return Unit{};
}

AccountResult<std::string> AccountService::check_password(const UserRecord& user,
                                                          std::string_view password,
                                                          std::string_view client_ip) {
  // A user who signed up through an upstream provider has no Keyward password, so nothing
  // can prove that whoever holds this session is them beyond the session itself. The
  // actions that ask for the current password (a new e-mail address, a new password,
  // deleting the account) are refused until they set one through /recover, which proves
  // they hold the account's mailbox (docs/accounts.md "Users without a password").
  if (!user.password_hash) return err(refused(std::string(kNoPasswordYet)));
  if (password.empty()) return err(refused("Enter your current password."));
  auto checked = authenticator_.authenticate(user.username, password, client_ip);
  if (!checked.ok()) {
    const auto& e = checked.error();
    if (e.retry_after) {
      const long long wait = std::max<long long>(1, e.retry_after->count());
      return err(AccountProblem{AccountProblem::Kind::Throttled,
                                "Too many wrong passwords. Try again in " + std::to_string(wait) +
                                    (wait == 1 ? " second." : " seconds."),
                                std::chrono::seconds(wait)});
    }
    if (e.code == grants::ErrorCode::InvalidGrant) {
      return err(refused("Your current password is not correct."));
    }
    return err(AccountProblem{AccountProblem::Kind::Unavailable, "password check: " + e.description,
                              std::nullopt});
  }
  // Sign-in may have rehashed it with stronger parameters: the hash to replace is the
  // stored one now.
  auto fresh = users_.find_by_id(user.id);
  if (!fresh.ok()) return err(unavailable(fresh.error(), "user lookup"));
  if (!*fresh || !(*fresh)->password_hash) return err(refused("This account no longer exists."));
  return std::move(*(*fresh)->password_hash);
}

AccountResult<Unit> AccountService::change_password(
    const UserRecord& user, std::string_view current_session_hash, std::string_view current,
    std::string_view new_password, std::string_view confirmation, std::string_view client_ip) {
  // The new password's rules first: they cost nothing, and a refusal then spends no guess
  // of the current password.
  if (new_password.empty()) return err(refused("Enter a new password."));
  if (auto problem = password_problem(new_password, user.username)) {
    return err(refused(std::move(*problem)));
  }
  if (new_password != confirmation) {
    return err(refused("The two new passwords are not the same."));
  }
  auto stored = check_password(user, current, client_ip);
  if (!stored.ok()) return err(std::move(stored).error());
  const std::string new_hash = grants::hash_password(new_password, params_);
  auto changed =
      accounts_.change_password(user.id, *stored, new_hash, current_session_hash, clock_.now());
  if (!changed.ok()) return err(unavailable(changed.error(), "password change"));
  if (!*changed) return err(refused("Your password was changed meanwhile. Try again."));
  return Unit{};
}

AccountResult<Unit> AccountService::end_session(const UserRecord& user, std::string_view id_hash) {
  auto ended = accounts_.end_session(user.id, id_hash, clock_.now());
  if (!ended.ok()) return err(unavailable(ended.error(), "end session"));
  if (!*ended) return err(refused("That session has ended already."));
  return Unit{};
}

AccountResult<uint64_t> AccountService::end_all_sessions(const UserRecord& user) {
  auto ended = accounts_.end_all_sessions(user.id, clock_.now());
  if (!ended.ok()) return err(unavailable(ended.error(), "end all sessions"));
  return *ended;
}

AccountResult<Unit> AccountService::revoke_application(const UserRecord& user,
                                                       std::string_view client_id) {
  auto revoked = accounts_.revoke_application(user.id, client_id, clock_.now());
  if (!revoked.ok()) return err(unavailable(revoked.error(), "revoke application"));
  if (!*revoked) return err(refused("That application has no access to your account."));
  return Unit{};
}

AccountResult<Unit> AccountService::unlink_provider(const UserRecord& user,
                                                    std::string_view provider) {
  if (identities_ == nullptr) return err(refused("That provider is not linked to your account."));
  auto unlinked = identities_->unlink(user.id, provider);
  if (!unlinked.ok()) return err(unavailable(unlinked.error(), "unlink provider"));
  switch (*unlinked) {
    case storage::UnlinkOutcome::Unlinked:
      return Unit{};
    case storage::UnlinkOutcome::NotLinked:
      break;
    case storage::UnlinkOutcome::LastWayToSignIn:
      return err(refused(
          "This is the only way to sign in to your account. Set a password first (\"Forgot your "
          "password?\" on the sign-in page), or link another provider, then unlink this one."));
  }
  return err(refused("That provider is not linked to your account."));
}

AccountResult<Unit> AccountService::delete_account(const UserRecord& user,
                                                   std::string_view password,
                                                   std::string_view client_ip) {
  auto stored = check_password(user, password, client_ip);
  if (!stored.ok()) return err(std::move(stored).error());
  auto deleted = accounts_.delete_user(user.id, *stored, clock_.now());
  if (!deleted.ok()) return err(unavailable(deleted.error(), "delete account"));
  if (!*deleted) return err(refused("Your password was changed meanwhile. Try again."));
  return Unit{};
}

}  // namespace keyward::accounts
