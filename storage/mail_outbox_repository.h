#pragma once
// The mail outbox (migrations/0008_accounts.sql `mail_outbox`): requests queue mails with
// one INSERT; the delivery thread claims due rows (FOR UPDATE SKIP LOCKED, so instances
// never send one mail twice at once), and deletes each once sent or given up, so the
// links in the bodies do not outlive their delivery.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct NewOutgoingMail {
  std::string kind;
  std::string recipient;
  std::string subject;
  std::string text_body;
  std::string html_body;
};

struct OutgoingMail {
  int64_t id = 0;
  std::string kind;
  std::string recipient;
  std::string subject;
  std::string text_body;
  std::string html_body;
  int attempts = 0;  // before this one
  TimePoint created_at{};
};

class MailOutboxRepository {
 public:
  explicit MailOutboxRepository(Database& database);

  [[nodiscard]] Result<Unit, StorageError> enqueue(const NewOutgoingMail& mail, TimePoint now);

  // Up to `limit` mails due at `now`, oldest first; each is hidden from every other claim
  // until `lease_until` (its next_attempt_at moves there), so a crashed sender's mails are
  // retried after the lease.
  [[nodiscard]] Result<std::vector<OutgoingMail>, StorageError> claim_due(TimePoint now,
                                                                          TimePoint lease_until,
                                                                          size_t limit);
  // Sent, or given up: the row (and its link) is gone.
  [[nodiscard]] Result<Unit, StorageError> remove(int64_t id);
  // A failed attempt: counted, its error kept (never a body), retried at `retry_at`.
  [[nodiscard]] Result<Unit, StorageError> reschedule(int64_t id, std::string_view error,
                                                      TimePoint retry_at);
  // How many mails wait (tests, status).
  [[nodiscard]] Result<int64_t, StorageError> pending();

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
