#include "mail/mail_queue.h"

namespace keyward::mail {

Result<Unit, std::string> MailQueue::queue(std::string_view kind, std::string_view to,
                                           std::string_view accept_language,
                                           const nlohmann::json& view) {
  auto mail = templates_->render(kind, to, accept_language, view);
  if (!mail.ok()) return err(mail.error());
  auto queued = outbox_.enqueue(
      storage::NewOutgoingMail{mail->kind, mail->to, mail->subject, mail->text, mail->html},
      clock_.now());
  if (!queued.ok())
    return err("cannot queue the " + mail->kind + " mail: " + queued.error().message);
  return Unit{};
}

}  // namespace keyward::mail
