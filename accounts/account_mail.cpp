#include "accounts/account_mail.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"

namespace keyward::accounts {

LinkToken new_link_token() {
  LinkToken link;
  link.token = random_token();
  link.hash = sha256(link.token);
  return link;
}

bool is_link_token(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<bool, std::string> take_mail_allowance(storage::MailRequestRepository& limits,
                                              const storage::UserRecord& user,
                                              const std::string& client_ip, uint32_t per_hour,
                                              TimePoint now) {
  std::vector<std::string> keys = {"user:" + user.id};
  if (!client_ip.empty()) keys.push_back("ip:" + client_ip);
  // Addresses are not unique: without this key, sign-ups naming one victim's address from
  // many addresses could fill that mailbox.
  if (user.email) {
    std::string address = *user.email;
    std::transform(address.begin(), address.end(), address.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    keys.push_back("email:" + address);
  }
  auto taken = limits.try_record(keys, per_hour, now - std::chrono::hours(1), now);
  if (!taken.ok()) return err("mail limits: " + taken.error().message);
  return *taken;
}

Result<Unit, std::string> mail_link(const LinkMailer& mailer, const LinkMailKind& kind,
                                    const storage::UserRecord& user, const MailRequester& requester,
                                    TimePoint now) {
  if (user.disabled || !user.email) return Unit{};
  auto allowed = take_mail_allowance(mailer.limits, user, requester.client_ip,
                                     mailer.settings.mails_per_hour, now);
  if (!allowed.ok()) return err(allowed.error());
  if (!*allowed) return Unit{};
  const LinkToken link = new_link_token();
  const storage::NewAccountLink record{link.hash, std::string(kind.purpose),
                                       user.id,   kind.bound_to_address ? user.email : std::nullopt,
                                       now,       now + kind.lifetime};
  auto stored = kind.replaces_earlier ? mailer.links.replace(record) : mailer.links.create(record);
  if (!stored.ok()) {
    return err(std::string(kind.mail_kind) + " link: " + stored.error().message);
  }
  const nlohmann::json view = {
      {"name", mail_name(user)},
      {"link", mailer.settings.issuer + std::string(kind.path) + "?token=" + link.token},
      {"expires_in", kind.lifetime_text},
      {"issuer", mailer.settings.issuer}};
  return mailer.mail.queue(kind.mail_kind, *user.email, requester.accept_language, view);
}

std::string mail_name(const storage::UserRecord& user) {
  std::string name = user.given_name.value_or("");
  if (user.family_name) name += (name.empty() ? "" : " ") + *user.family_name;
  return name.empty() ? user.username : name;
}

}  // namespace keyward::accounts
