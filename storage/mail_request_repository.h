#pragma once
// The per-hour mail limits (migrations/0008_accounts.sql `mail_requests`): one row per
// mail requested, under a key such as "user:<id>" or "ip:<address>". The janitor deletes
// rows older than an hour.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

class MailRequestRepository {
 public:
  explicit MailRequestRepository(Database& database);

  // If every key has had fewer than `limit` requests since `since`, records one request
  // at `now` for each key and returns true; otherwise records nothing and returns false.
  // One transaction holding an advisory lock per key, so concurrent requests cannot both
  // take the last place.
  [[nodiscard]] Result<bool, StorageError> try_record(const std::vector<std::string>& keys,
                                                      uint32_t limit, TimePoint since,
                                                      TimePoint now);

  // Requests of `key` since `since` (tests, status).
  [[nodiscard]] Result<int64_t, StorageError> count(std::string_view key, TimePoint since);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
