#include "accounts/email_verification.h"

#include "accounts/account_mail.h"
#include "common/crypto.h"
#include "mail/mail_templates.h"

namespace keyward::accounts {
namespace {

constexpr LinkMailKind kVerificationLink{
    storage::kVerifyEmailPurpose, mail::kVerifyEmail, "/verify-email",
    std::chrono::hours(24),       "24 hours",
    /*bound_to_address=*/true,
    /*replaces_earlier=*/false};

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
  if (user.email_verified) return Unit{};
  return mail_link(LinkMailer{links_, limits_, mail_, settings_}, kVerificationLink, user,
                   requester, clock_.now());
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
