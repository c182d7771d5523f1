#include "mail/outbox_delivery.h"

#include <algorithm>

namespace keyward::mail {

std::chrono::seconds retry_delay(const DeliveryPolicy& policy, int attempts) {
  std::chrono::seconds delay = policy.first_retry;
  for (int i = 0; i < attempts && delay < policy.longest_retry; ++i) delay *= 2;
  return std::min(delay, policy.longest_retry);
}

OutboxDelivery::OutboxDelivery(storage::MailOutboxRepository& outbox, SmtpSender sender,
                               const Clock& clock, Logger& logger, DeliveryPolicy policy)
    : outbox_(outbox),
      sender_(std::move(sender)),
      clock_(clock),
      logger_(logger),
      policy_(policy) {}

OutboxDelivery::~OutboxDelivery() {
  stop();
}

void OutboxDelivery::start() {
  thread_ = std::thread([this] { run(); });
}

void OutboxDelivery::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxDelivery::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    deliver_due();
    lock.lock();
    wake_.wait_for(lock, policy_.poll_interval, [this] { return stopping_; });
  }
}

size_t OutboxDelivery::deliver_due() {
  size_t sent = 0;
  for (;;) {
    const TimePoint now = clock_.now();
    auto claimed = outbox_.claim_due(now, now + policy_.lease, policy_.batch);
    if (!claimed.ok()) {
      logger_.warn("mail outbox unreachable", {{"detail", claimed.error().message}});
      return sent;
    }
    for (const auto& mail : *claimed) {
      auto result = sender_.send(
          Mail{mail.kind, mail.recipient, mail.subject, mail.text_body, mail.html_body});
      const Logger::Fields about = {
          {"mail_id", mail.id},
          {"kind", mail.kind},
          {"domain", domain_of(mail.recipient)},  // which provider, not who,
          {"attempt", mail.attempts + 1}};
      if (result.ok()) {
        ++sent;
        logger_.info("mail sent", about);
        if (auto removed = outbox_.remove(mail.id); !removed.ok()) {
          // Sent but still queued: it will be sent again after its lease. Better twice than
          // never; the links are single-use anyway.
          logger_.warn("mail sent but not removed from the outbox",
                       {{"mail_id", mail.id}, {"detail", removed.error().message}});
        }
        continue;
      }
      const auto& failure = result.error();
      Logger::Fields fields = about;
      fields["detail"] = failure.reason;
      if (failure.permanent || mail.attempts + 1 >= policy_.max_attempts) {
        logger_.error(failure.permanent ? "mail refused by the SMTP server, dropped"
                                        : "mail undeliverable after every retry, dropped",
                      fields);
        (void)outbox_.remove(mail.id);
        continue;
      }
      const auto delay = retry_delay(policy_, mail.attempts);
      fields["retry_in_s"] = delay.count();
      logger_.warn("mail not sent, will retry", fields);
      (void)outbox_.reschedule(mail.id, failure.reason, now + delay);
    }
    if (claimed->size() < policy_.batch) return sent;
    std::lock_guard lock(mutex_);
    if (stopping_) return sent;
  }
}

}  // namespace keyward::mail
