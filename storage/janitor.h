#pragma once
// Housekeeping: deletes what can never be used again, so the token tables stay
// bounded by traffic × lifetime however long Keyward runs. Each statement deletes at most
// `batch_size` rows (short locks, short WAL bursts, no long transaction), looping until a
// table has nothing left that is due. One instance at a time: the run holds a session
// advisory lock and an instance that cannot take it skips its turn.
#include <chrono>
#include <cstddef>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct JanitorOptions {
  std::size_t batch_size = 1000;
  // Per table and run, so one run always ends; the next run carries on.
  std::size_t max_batches = 1000;
  // Sign-in throttle rows whose last failure is this old and that block nothing are
  // forgotten; grants/login_throttle.h forgets them after an hour without failures.
  std::chrono::seconds throttle_forget_after{3600};
  // Audit events older than this are deleted (KEYWARD_EVENT_RETENTION, 90 days by default).
  std::chrono::seconds event_retention{std::chrono::hours(24 * 90)};
};

struct JanitorCounts {
  bool ran = false;  // false: another instance holds the lock; nothing was deleted
  std::size_t authorization_codes = 0;    // expired
  std::size_t refresh_tokens = 0;         // expired (rotated or not)
  std::size_t revoked_access_tokens = 0;  // past the token's own expiry
  std::size_t grants = 0;                 // expired or revoked (their rows cascade)
  std::size_t browser_sessions = 0;       // past their absolute lifetime
  std::size_t login_throttle = 0;         // forgotten failure counters
  std::size_t account_links = 0;          // expired verification and reset links
  std::size_t mail_requests = 0;          // older than the hour the mail limits count
  std::size_t mail_outbox = 0;            // unsent mails older than their links (a day)
  std::size_t registration_tokens = 0;    // initial access tokens expired or used up
  std::size_t federation_flows = 0;       // upstream sign-ins and link offers never finished
  std::size_t events = 0;                 // audit events past their retention

  [[nodiscard]] std::size_t total() const {
    return authorization_codes + refresh_tokens + revoked_access_tokens + grants +
           browser_sessions + login_throttle + account_links + mail_requests + mail_outbox +
           registration_tokens + federation_flows + events;
  }
};

class Janitor {
 public:
  explicit Janitor(Database& database, JanitorOptions options = {});

  // Deletes everything due at `now`. A revoked grant goes at once: its tokens are refused
  // whether the row is there or not (a missing grant is a dead one), and reuse of its
  // refresh tokens is then simply an unknown token.
  [[nodiscard]] Result<JanitorCounts, StorageError> run_once(TimePoint now);

 private:
  detail::Pool& pool_;
  JanitorOptions options_;
};

}  // namespace keyward::storage
