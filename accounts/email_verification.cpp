#include "accounts/email_verification.h"

#include "accounts/account_mail.h"
#include "common/crypto.h"
#include "mail/mail_templates.h"

namespace keyward::accounts {
namespace {

constexpr auto kLinkLifetime = std::chrono::hours(24);
constexpr std::string_view kLinkLifetimeText = "24 hours";

}  // namespace

EmailVerification::EmailVerification(storage::Database& database, mail::MailQueue& mail,
                                     const Clock& clock, LinkSettings settings)
    : mail_(mail),
      clock_(clock),
      settings_(std::move(settings)),
      links_(database),
      limits_(database) {}

Result<Unit, std::string> EmailVerification::send(const storage::UserRecord& user,
                                                  const MailRequester& requester) {
  if (!user.email || user.disabled || user.email_verified) return Unit{};
  const TimePoint now = clock_.now();
  auto allowed =
      take_mail_allowance(limits_, user, requester.client_ip, settings_.mails_per_hour, now);
  if (!allowed.ok()) return err(allowed.error());
  if (!*allowed) return Unit{};
  const LinkToken link = new_link_token();
  auto created =
      links_.create(storage::NewAccountLink{link.hash, std::string(storage::kVerifyEmailPurpose),
                                            user.id, user.email, now, now + kLinkLifetime});
  if (!created.ok()) return err("verification link: " + created.error().message);
  const nlohmann::json view = {{"name", mail_name(user)},
                               {"link", settings_.issuer + "/verify-email?token=" + link.token},
                               {"expires_in", kLinkLifetimeText},
                               {"issuer", settings_.issuer}};
  return mail_.queue(mail::kVerifyEmail, *user.email, requester.accept_language, view);
}

Result<bool, std::string> EmailVerification::is_live(std::string_view token) {
  if (!is_link_token(token)) return false;
  auto found = links_.find_live(sha256(token), storage::kVerifyEmailPurpose, clock_.now());
  if (!found.ok()) return err("verification link: " + found.error().message);
  return found->has_value();
}

Result<EmailVerification::Outcome, std::string> EmailVerification::confirm(std::string_view token) {
  if (!is_link_token(token)) return Outcome::NoLink;
  auto used = links_.consume_verification(sha256(token), clock_.now());
  if (!used.ok()) return err("verification link: " + used.error().message);
  if (!*used) return Outcome::NoLink;
  return **used ? Outcome::Verified : Outcome::AddressChanged;
}

}  // namespace keyward::accounts
