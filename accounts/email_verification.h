#pragma once
// E-mail verification links (issue 12): 256-bit, single use, stored as SHA-256 digests,
// valid 24 hours, bound to the address they were sent to.
#include <optional>
#include <string>
#include <string_view>

#include "accounts/account_mail.h"
#include "common/clock.h"
#include "common/result.h"
#include "mail/mail_queue.h"
#include "storage/account_link_repository.h"
#include "storage/database.h"
#include "storage/mail_request_repository.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

class EmailVerification {
 public:
  EmailVerification(storage::Database& database, mail::MailQueue& mail, const Clock& clock,
                    LinkSettings settings);

  // Queues a verification link for the user's current e-mail. Does nothing (and still
  // succeeds) when the user has no e-mail, is disabled, is already verified, or the
  // hourly limit of the account or of the address is reached. Errors are storage or mail
  // failures, said without the link.
  [[nodiscard]] Result<Unit, std::string> send(const storage::UserRecord& user,
                                               const MailRequester& requester);

  // Whether `token` names a live verification link, without using it (GET /verify-email:
  // mail scanners fetch links, so showing the page must not verify anything).
  [[nodiscard]] Result<bool, std::string> is_live(std::string_view token);

  enum class Outcome {
    Verified,        // the user's address is now verified
    AddressChanged,  // the link was used up, but the user's address is not the one it proves
    NoLink,          // unknown, used or expired
  };
  // Uses the link (once): marks the address verified if it is still the user's.
  [[nodiscard]] Result<Outcome, std::string> confirm(std::string_view token);

 private:
  mail::MailQueue& mail_;
  const Clock& clock_;
  LinkSettings settings_;
  storage::AccountLinkRepository links_;
  storage::MailRequestRepository limits_;
};

}  // namespace keyward::accounts
