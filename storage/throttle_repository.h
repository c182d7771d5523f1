#pragma once
// Failed sign-in attempts per key (migrations/0003_login_throttle.sql); the policy (how
// long a key is blocked) is grants/login_throttle.h's.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct ThrottleRecord {
  std::string key;
  int failures = 0;
  TimePoint last_failure_at{};
  std::optional<TimePoint> blocked_until;

  bool operator==(const ThrottleRecord&) const = default;
};

class ThrottleRepository {
 public:
  explicit ThrottleRepository(Database& database);

  // The rows of the given keys that exist, in no particular order (one query).
  [[nodiscard]] Result<std::vector<ThrottleRecord>, StorageError> find(
      const std::vector<std::string>& keys);

  // Atomically counts one failure at `now` (starting again from 1 when the last failure
  // is older than `forget_before`), then sets blocked_until to block_until(failures) if
  // that is later than what is stored: one transaction, so concurrent failures each count
  // and the longest block wins.
  [[nodiscard]] Result<ThrottleRecord, StorageError> record_failure(
      std::string_view key, TimePoint now, TimePoint forget_before,
      const std::function<std::optional<TimePoint>(int failures)>& block_until);

  // One key of an attempt: its window and its block policy, as for record_failure.
  struct AttemptKey {
    std::string key;
    TimePoint forget_before;
    std::function<std::optional<TimePoint>(int failures)> block_until;
  };
  struct AttemptOutcome {
    bool counted = false;                 // false: a key was blocked at `now`
    std::vector<ThrottleRecord> records;  // the keys' rows after the call
  };
  // Counts an attempt before its password is checked, atomically with the block check:
  // in one transaction the keys' rows are locked (created when missing, in key order so
  // two attempts cannot deadlock); if any is blocked at `now` nothing is counted,
  // otherwise each key counts one failure as record_failure does. Concurrent attempts on
  // a key are therefore serialised: once one has set a block, the next sees it.
  [[nodiscard]] Result<AttemptOutcome, StorageError> count_attempt(std::vector<AttemptKey> keys,
                                                                   TimePoint now);

  // Takes one counted failure back (an attempt that turned out right); never below zero.
  [[nodiscard]] Result<Unit, StorageError> uncount(std::string_view key);

  // Forgets the key (after a successful sign-in).
  [[nodiscard]] Result<Unit, StorageError> clear(std::string_view key);

  // For the janitor: deletes at most `batch` rows whose last failure is before
  // `forget_before` and that are not blocked any more at `now`; returns how many.
  [[nodiscard]] Result<std::size_t, StorageError> prune(TimePoint now, TimePoint forget_before,
                                                        std::size_t batch);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
