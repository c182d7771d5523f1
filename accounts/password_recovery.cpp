#include "accounts/password_recovery.h"

#include "accounts/account_details.h"
#include "accounts/account_mail.h"
#include "accounts/password_policy.h"
#include "common/crypto.h"
#include "grants/identifier.h"
#include "mail/mail_templates.h"

namespace keyward::accounts {
namespace {

constexpr LinkMailKind kResetLink{storage::kResetPasswordPurpose, mail::kResetPassword, "/reset",
                                  std::chrono::minutes(30),       "30 minutes",
                                  /*bound_to_address=*/false,
                                  /*replaces_earlier=*/true};
// Addresses are not unique: at most this many accounts get a link per request.
constexpr size_t kMaxAccountsPerAddress = 5;

}  // namespace

PasswordRecovery::PasswordRecovery(storage::Database& database, mail::MailQueue& mail,
                                   const Clock& clock, LinkSettings settings,
                                   grants::Argon2Params argon2)
    : mail_(mail),
      clock_(clock),
      settings_(std::move(settings)),
      argon2_(argon2),
      links_(database),
      limits_(database),
      users_(database) {}

Result<Unit, std::string> PasswordRecovery::request(std::string_view account,
                                                    const MailRequester& requester) {
  if (!grants::is_acceptable_identifier(account)) return Unit{};
  std::vector<storage::UserRecord> found;
  auto by_name = users_.find_by_username(account);
  if (!by_name.ok()) return err("users: " + by_name.error().message);
  if (*by_name) {
    found.push_back(std::move(**by_name));
  } else if (!email_problem(account)) {
    auto by_email = users_.find_by_email(account, kMaxAccountsPerAddress);
    if (!by_email.ok()) return err("users: " + by_email.error().message);
    found = std::move(by_email).value();
  }
  for (const auto& user : found) {
    if (auto sent = send_link(user, requester); !sent.ok()) return sent;
  }
  return Unit{};
}

Result<Unit, std::string> PasswordRecovery::send_link(const storage::UserRecord& user,
                                                      const MailRequester& requester) {
  return mail_link(LinkMailer{links_, limits_, mail_, settings_}, kResetLink, user, requester,
                   clock_.now());
}

Result<std::optional<storage::UserRecord>, std::string> PasswordRecovery::link_user(
    std::string_view token) {
  if (!is_link_token(token)) return std::optional<storage::UserRecord>();
  auto link = links_.find_live(sha256(token), storage::kResetPasswordPurpose, clock_.now());
  if (!link.ok()) return err("reset link: " + link.error().message);
  if (!*link) return std::optional<storage::UserRecord>();
  auto user = users_.find_by_id((*link)->user_id);
  if (!user.ok()) return err("users: " + user.error().message);
  if (!*user || (*user)->disabled) return std::optional<storage::UserRecord>();
  return std::move(user).value();
}

Result<PasswordRecovery::Reset, std::string> PasswordRecovery::reset(
    std::string_view token, std::string_view new_password) {
  Reset result;
  auto user = link_user(token);
  if (!user.ok()) return err(user.error());
  if (!*user) return result;
  if (auto problem = password_problem(new_password, (*user)->username)) {
    result.outcome = Reset::Outcome::RefusedPassword;
    result.problem = *problem;
    return result;
  }
  const std::string hash = grants::hash_password(new_password, argon2_);
  // The link is used up and the password set in one transaction: of two resets racing with
  // one link, one wins, and a failure leaves the link as it was.
  auto changed = users_.reset_password_by_link(sha256(token), hash, clock_.now());
  if (!changed.ok()) return err("reset: " + changed.error().message);
  if (!*changed) return result;  // used, expired, disabled or deleted meanwhile
  result.outcome = Reset::Outcome::Done;
  result.user_id = (*user)->id;
  result.revoked = **changed;
  return result;
}

}  // namespace keyward::accounts
