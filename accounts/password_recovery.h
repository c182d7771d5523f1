#pragma once
// Password recovery (docs/accounts.md "Password recovery"): a single-use reset link
// (256-bit, stored as SHA-256, valid 30 minutes; a new request deletes the earlier ones)
// mailed to the account's address, and the reset itself, which ends every grant and
// browser session of the user.
#include <optional>
#include <string>
#include <string_view>

#include "accounts/email_verification.h"
#include "common/clock.h"
#include "common/result.h"
#include "grants/password_hash.h"
#include "mail/mail_queue.h"
#include "storage/account_link_repository.h"
#include "storage/database.h"
#include "storage/mail_request_repository.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

class PasswordRecovery {
 public:
  PasswordRecovery(storage::Database& database, mail::MailQueue& mail, const Clock& clock,
                   LinkSettings settings, grants::Argon2Params argon2);

  // `account` is a username or an e-mail address. Sends a reset link to each matching
  // enabled account with an address, within the hourly limits; anything else (no such
  // account, disabled, no address, over a limit) sends nothing. The caller answers the
  // same in every case; only storage or mail failures are errors.
  [[nodiscard]] Result<Unit, std::string> request(std::string_view account,
                                                  const MailRequester& requester);

  // The user a live reset link belongs to, without using it; nullopt when the link is
  // unknown, used or expired, or its user is disabled.
  [[nodiscard]] Result<std::optional<storage::UserRecord>, std::string> link_user(
      std::string_view token);

  struct Reset {
    enum class Outcome { Done, NoLink, RefusedPassword } outcome = Outcome::NoLink;
    std::string problem;  // RefusedPassword: the sentence to show
    std::string user_id;  // Done
    storage::RevokedAccess revoked;
  };
  // Checks the password rules (the link stays usable when they fail), then uses the link
  // and sets the new password, which revokes every grant and session of the user. Hashes
  // with Argon2id: call from the worker pool.
  [[nodiscard]] Result<Reset, std::string> reset(std::string_view token,
                                                 std::string_view new_password);

 private:
  Result<Unit, std::string> send_link(const storage::UserRecord& user,
                                      const MailRequester& requester);

  mail::MailQueue& mail_;
  const Clock& clock_;
  LinkSettings settings_;
  grants::Argon2Params argon2_;
  storage::AccountLinkRepository links_;
  storage::MailRequestRepository limits_;
  storage::UserRepository users_;
};

}  // namespace keyward::accounts
