#include "accounts/account_mail.h"

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
  auto taken = limits.try_record(keys, per_hour, now - std::chrono::hours(1), now);
  if (!taken.ok()) return err("mail limits: " + taken.error().message);
  return *taken;
}

std::string mail_name(const storage::UserRecord& user) {
  std::string name = user.given_name.value_or("");
  if (user.family_name) name += (name.empty() ? "" : " ") + *user.family_name;
  return name.empty() ? user.username : name;
}

}  // namespace keyward::accounts
