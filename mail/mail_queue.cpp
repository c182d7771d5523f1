#include "mail/mail_queue.h"

namespace keyward::mail {

// Placeholder until the outbox lands.
Result<Unit, std::string> MailQueue::queue(std::string_view, std::string_view, std::string_view,
                                           const nlohmann::json&) {
  return err(std::string("mail is not wired yet"));
}

}  // namespace keyward::mail
