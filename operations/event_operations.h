#pragma once
// What an operator reads of the audit trail (`keyward events`, `keyward stats`,
// /admin/v1/events, /admin/v1/stats): the events, filtered and paged newest first, and the
// daily statistics (docs/observability.md "Audit events"). Both front ends parse their
// input with the functions below, so a filter means the same on the command line and in a
// query string.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "operations/operation_error.h"
#include "operations/page.h"
#include "storage/database.h"
#include "storage/event_repository.h"

namespace keyward::operations {

inline constexpr int kDefaultStatsDays = 7;
inline constexpr int kMaxStatsDays = 366;

struct EventQuery {
  // A user id (UUID) or a username; a username is looked up (NotFound when there is none),
  // an id is used as it is, so a deleted user's events can still be read.
  std::optional<std::string> user;
  std::optional<std::string> client_id;
  std::optional<std::string> type;  // an audit::type_name(); anything else is Invalid
  std::optional<TimePoint> since;   // inclusive
  std::optional<TimePoint> until;   // exclusive
};

// A time bound as an operator writes it: RFC 3339 ("2026-12-01T08:00:00Z", an offset, or
// a date alone meaning its UTC midnight), or a duration before `now` ("90s", "30m",
// "24h", "7d"). Invalid, naming `field`, otherwise, and for a year outside 1970–2200 or a
// duration over 36500 days (TimePoint's nanoseconds would overflow).
[[nodiscard]] Result<TimePoint, OperationError> parse_time_bound(std::string_view text,
                                                                 TimePoint now,
                                                                 std::string_view field);

// RFC 3339 UTC with microseconds, as events are shown: 2026-12-07T06:20:01.123456Z.
[[nodiscard]] std::string event_time(TimePoint t);
// The event as both front ends show it: id, occurred_at, type, user_id, client_id,
// address, request_id, actor (null when absent), detail (an object).
[[nodiscard]] nlohmann::ordered_json describe_event(const storage::EventRecord& event);

// One day (or one day and client) of the statistics.
struct DayFigures {
  std::string day;        // YYYY-MM-DD, UTC
  std::string client_id;  // "" in totals, and for events without a client
  std::vector<std::pair<std::string, std::uint64_t>> tokens_by_grant;
  std::uint64_t sign_ins = 0;
  std::uint64_t sign_in_failures = 0;
  std::uint64_t active_users = 0;
  [[nodiscard]] std::uint64_t tokens_issued() const;
};

struct EventStats {
  int days = 0;
  std::string from, to;               // the first and last day, YYYY-MM-DD
  std::vector<DayFigures> totals;     // every day from `from` to `to`, zeros included
  std::vector<DayFigures> by_client;  // only (day, client) pairs with events
};

[[nodiscard]] nlohmann::ordered_json describe_stats(const EventStats& stats);

class EventOperations {
 public:
  explicit EventOperations(storage::Database& database);

  // Newest first; the cursor is opaque (operations/page.h).
  [[nodiscard]] Result<Page<storage::EventRecord>, OperationError> list(const EventQuery& query,
                                                                        const PageRequest& page);

  // The last `days` UTC days up to `now` (today included): 1..kMaxStatsDays, else Invalid.
  [[nodiscard]] Result<EventStats, OperationError> stats(int days, TimePoint now);

 private:
  storage::Database& database_;
};

}  // namespace keyward::operations
