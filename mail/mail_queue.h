#pragma once
// Queuing an account mail: rendered from templates/mail/ in the reader's language, then
// written to the PostgreSQL outbox (migrations/0008_accounts.sql `mail_outbox`). Queuing
// is one INSERT and never talks to the SMTP server: the OutboxDelivery thread
// (mail/outbox_delivery.h) sends, retries and forgets the mail.
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "mail/mail_templates.h"
#include "storage/mail_outbox_repository.h"

namespace keyward::mail {

class MailQueue {
 public:
  MailQueue(std::shared_ptr<const MailTemplates> templates, storage::MailOutboxRepository& outbox,
            const Clock& clock)
      : templates_(std::move(templates)), outbox_(outbox), clock_(clock) {}

  // Renders templates/mail/<language>/<kind>.* with `view` (the language picked from
  // `accept_language`, English when none matches) and queues it for `to`. The error names
  // what failed (an unknown kind, the database) and never carries the view, which holds
  // the link.
  [[nodiscard]] Result<Unit, std::string> queue(std::string_view kind, std::string_view to,
                                                std::string_view accept_language,
                                                const nlohmann::json& view);

 private:
  std::shared_ptr<const MailTemplates> templates_;
  storage::MailOutboxRepository& outbox_;
  const Clock& clock_;
};

}  // namespace keyward::mail
