#include "accounts/email_verification.h"

namespace keyward::accounts {

EmailVerification::EmailVerification(storage::Database& database, mail::MailQueue& mail,
                                     const Clock& clock, LinkSettings settings)
    : database_(database), mail_(mail), clock_(clock), settings_(std::move(settings)) {}

// Placeholder until the verification links land (h2 replaces it).
Result<Unit, std::string> EmailVerification::send(const storage::UserRecord& /*user*/,
                                                  const MailRequester& /*requester*/) {
  return Unit{};
}

}  // namespace keyward::accounts
