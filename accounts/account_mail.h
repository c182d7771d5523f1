#pragma once
// What the account mails (verification, reset) share: the link tokens, the per-hour
// limits (per account and per requesting address) and how a mail names its reader.
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "storage/mail_request_repository.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

// A new link: the token that goes into the mail (256 random bits, base64url) and the
// SHA-256 digest that is stored.
struct LinkToken {
  std::string token;
  std::string hash;
};
[[nodiscard]] LinkToken new_link_token();
// Whether `token` has the shape new_link_token() gives (43 base64url characters): anything
// else is no link and is refused unread.
[[nodiscard]] bool is_link_token(std::string_view token);

// Counts one mail for the user and for the address if neither has had `per_hour` in the
// last hour; false (nothing counted) when one has.
[[nodiscard]] Result<bool, std::string> take_mail_allowance(storage::MailRequestRepository& limits,
                                                            const storage::UserRecord& user,
                                                            const std::string& client_ip,
                                                            uint32_t per_hour, TimePoint now);

// "Given Family", else the username.
[[nodiscard]] std::string mail_name(const storage::UserRecord& user);

}  // namespace keyward::accounts
