#pragma once
// What the account mails (verification, reset) share: the link tokens, the per-hour
// limits (per account and per requesting address) and how a mail names its reader.
#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "mail/mail_queue.h"
#include "storage/account_link_repository.h"
#include "storage/mail_request_repository.h"
#include "storage/user_repository.h"

namespace keyward::accounts {

// Who asked for a mail: the per-address limit counts `client_ip`; the mail is written in
// the first language of `accept_language` that has templates.
struct MailRequester {
  std::string client_ip;
  std::string accept_language;
};

struct LinkSettings {
  std::string issuer;  // links are {issuer}/verify-email?token=..., {issuer}/reset?token=...
  uint32_t mails_per_hour = 5;  // per account and per requesting address
};

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

// Counts one mail for the user, the requester's address and the recipient's address if
// none has had `per_hour` in the last hour; false (nothing counted) when one has.
[[nodiscard]] Result<bool, std::string> take_mail_allowance(storage::MailRequestRepository& limits,
                                                            const storage::UserRecord& user,
                                                            const std::string& client_ip,
                                                            uint32_t per_hour, TimePoint now);

// One kind of link mail.
struct LinkMailKind {
  std::string_view purpose;        // storage::kVerifyEmailPurpose, kResetPasswordPurpose
  std::string_view mail_kind;      // mail::kVerifyEmail, mail::kResetPassword
  std::string_view path;           // the link is {issuer}{path}?token=...
  std::chrono::seconds lifetime;   // of the link
  std::string_view lifetime_text;  // the mail's "expires in ..."
  bool bound_to_address;           // the link proves the address it was sent to (kept with it)
  bool replaces_earlier;           // a new link deletes the user's earlier ones of this kind
};

// What sending a link mail uses.
struct LinkMailer {
  storage::AccountLinkRepository& links;
  storage::MailRequestRepository& limits;
  mail::MailQueue& mail;
  const LinkSettings& settings;
};

// Stores a new link of `kind` for `user` and queues the mail that carries it, unless the
// user has no address or is disabled, or the hour's allowance of the account or of the
// requester's address is spent (then nothing, and still success: the caller's answer must
// not tell). Errors are storage or mail failures, said without the link.
[[nodiscard]] Result<Unit, std::string> mail_link(const LinkMailer& mailer,
                                                  const LinkMailKind& kind,
                                                  const storage::UserRecord& user,
                                                  const MailRequester& requester, TimePoint now);

// "Given Family", else the username.
[[nodiscard]] std::string mail_name(const storage::UserRecord& user);

}  // namespace keyward::accounts
