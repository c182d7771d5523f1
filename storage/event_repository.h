#pragma once
// Audit events (migrations/0011_events.sql): written in batches by the event writer
// (audit/event_writer.h), listed newest first with keyset paging, summed into daily
// statistics, pruned past their retention. storage/ knows nothing of the event types: it
// stores names and JSON text; audit/ owns what they mean.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

// One event as stored. Empty strings are stored as NULL (and read back as empty).
struct EventRecord {
  std::int64_t id = 0;  // assigned on insert; ignored by insert_batch
  TimePoint occurred_at{};
  std::string type;     // snake_case (audit::type_name)
  std::string user_id;  // a UUID, or "" (text that is not a UUID is stored as NULL)
  std::string client_id;
  std::string address;
  std::string request_id;
  std::string actor;
  std::string detail_json = "{}";  // a JSON object, as text

  bool operator==(const EventRecord&) const = default;
};

// Every field optional; all that are set must match.
struct EventFilter {
  std::optional<std::string> user_id;  // a UUID (callers resolve usernames first)
  std::optional<std::string> client_id;
  std::optional<std::string> type;
  std::optional<TimePoint> since;  // occurred_at >= since
  std::optional<TimePoint> until;  // occurred_at < until
};

// Where a page starts: strictly older than this (occurred_at, id) in list order.
struct EventPosition {
  TimePoint occurred_at{};
  std::int64_t id = 0;
  bool operator==(const EventPosition&) const = default;
};

// One (UTC day, client) row of the statistics. client_id "" gathers what had no client
// (sign-ins on the account page, failures before a client was known).
struct EventDayClientCounts {
  std::string day;  // YYYY-MM-DD, UTC
  std::string client_id;
  std::vector<std::pair<std::string, std::uint64_t>> tokens_by_grant;  // sorted by grant
  std::uint64_t sign_ins = 0;
  std::uint64_t sign_in_failures = 0;  // sign_in_failed + sign_in_throttled
  std::uint64_t active_users = 0;      // distinct users with sign_in or token_issued
};

// The same per UTC day over every client; active_users counts each user once a day,
// so it is not the sum of the per-client figures.
struct EventDayTotals {
  std::string day;
  std::vector<std::pair<std::string, std::uint64_t>> tokens_by_grant;
  std::uint64_t sign_ins = 0;
  std::uint64_t sign_in_failures = 0;
  std::uint64_t active_users = 0;
};

struct EventStatistics {
  std::vector<EventDayClientCounts> by_client;  // by day, then client id
  std::vector<EventDayTotals> totals;           // by day; only days with events
};

class EventRepository {
 public:
  explicit EventRepository(Database& database);

  // Inserts every event in ONE statement (arrays unnested server-side), so a batch costs
  // one round trip and commits or fails as a whole. Text is cleaned first (invalid UTF-8
  // replaced, NUL dropped, cut to the column limits) so that no odd value can make the
  // batch fail; detail_json that is not a JSON object is stored as {"invalid_detail":true}.
  [[nodiscard]] Result<Unit, StorageError> insert_batch(const std::vector<EventRecord>& events);

  // Newest first ((occurred_at, id) descending), at most `limit`, strictly after `after`
  // in that order when given.
  [[nodiscard]] Result<std::vector<EventRecord>, StorageError> list(
      const EventFilter& filter, const std::optional<EventPosition>& after, std::size_t limit);

  // Deletes events older than `before`, `batch_size` rows per statement (each commits on
  // its own: no long lock), at most `max_batches` statements; returns how many.
  [[nodiscard]] Result<std::size_t, StorageError> prune(TimePoint before, std::size_t batch_size,
                                                        std::size_t max_batches = 1000);

  // The figures of docs/observability.md "Statistics" for events at or after `since`
  // (and before `until`).
  [[nodiscard]] Result<EventStatistics, StorageError> statistics(TimePoint since, TimePoint until);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
