#pragma once
// The thread that empties the mail outbox (storage/mail_outbox_repository.h): it claims
// due mails, sends each through SMTP, deletes it once sent, and otherwise retries with
// exponential back-off until kMaxAttempts or a permanent refusal, when the mail is dropped
// and logged (its kind, id and recipient's domain; never its body, which holds the link).
// Several instances may run it at once: claims never overlap.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "mail/smtp_sender.h"
#include "storage/mail_outbox_repository.h"

namespace keyward::mail {

struct DeliveryPolicy {
  std::chrono::milliseconds poll_interval{1000};  // how often the outbox is looked at
  std::chrono::seconds first_retry{30};           // doubled after every failure...
  std::chrono::seconds longest_retry{3600};       // ...up to this
  int max_attempts = 8;                           // about 2 hours of trying in all
  std::chrono::seconds lease{300};  // a claimed mail is hidden from other senders this long
  size_t batch = 20;
};

// When the attempt numbered `attempts` (0 for the first) failed, how long to wait.
[[nodiscard]] std::chrono::seconds retry_delay(const DeliveryPolicy& policy, int attempts);

class OutboxDelivery {
 public:
  OutboxDelivery(storage::MailOutboxRepository& outbox, SmtpSender sender, const Clock& clock,
                 Logger& logger, DeliveryPolicy policy = {});
  ~OutboxDelivery();  // stops
  OutboxDelivery(const OutboxDelivery&) = delete;
  OutboxDelivery& operator=(const OutboxDelivery&) = delete;

  void start();
  void stop();

  // One pass: claims and handles every due mail (a batch at a time); returns how many were
  // sent. The thread calls it; tests may too.
  size_t deliver_due();

 private:
  void run();

  storage::MailOutboxRepository& outbox_;
  SmtpSender sender_;
  const Clock& clock_;
  Logger& logger_;
  DeliveryPolicy policy_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keyward::mail
