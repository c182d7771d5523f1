#include "operations/event_operations.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>

#include "audit/event.h"
#include "storage/user_repository.h"

namespace keyward::operations {

namespace {

using nlohmann::ordered_json;
using std::chrono::days;
using std::chrono::sys_days;

std::optional<int> digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// TimePoint counts nanoseconds in 64 bits (about 1677 to 2262): bounds outside these years,
// or durations longer than this, are refused rather than overflowed (undefined, and a bound
// that wrapped would match nothing or everything).
constexpr int kEarliestYear = 1970;
constexpr int kLatestYear = 2200;
constexpr long long kMaxRelativeDays = 36500;  // about 100 years

// The year of something shaped like an RFC 3339 date (YYYY-MM-DD…), else nullopt.
std::optional<int> date_year(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  return digits(text, 0, 4);
}

// RFC 3339 §5.6 date-time (T or t or a space between), or a full-date alone, of a year
// from kEarliestYear to kLatestYear.
std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  const auto year = date_year(text);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  if (!year || !month || !day || *year < kEarliestYear || *year > kLatestYear) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  TimePoint t = sys_days(date);
  if (text.size() == 10) return t;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  if (!hour || !minute || !second || text[13] != ':' || text[16] != ':' || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  t += std::chrono::hours(*hour) + std::chrono::minutes(*minute) + std::chrono::seconds(*second);
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    long long micros = 0;
    int scale = 0;
    const size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (scale < 6) {
        micros = micros * 10 + (text[at] - '0');
        ++scale;
      }
      ++at;
    }
    if (at == start) return std::nullopt;
    for (; scale < 6; ++scale) micros *= 10;
    t += std::chrono::microseconds(micros);
  }
  if (at >= text.size()) return std::nullopt;  // RFC 3339 requires the offset
  if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) return t;
  if ((text[at] != '+' && text[at] != '-') || at + 6 != text.size() || text[at + 3] != ':') {
    return std::nullopt;
  }
  const auto off_h = digits(text, at + 1, 2);
  const auto off_m = digits(text, at + 4, 2);
  if (!off_h || !off_m || *off_h > 23 || *off_m > 59) return std::nullopt;
  const auto offset = std::chrono::hours(*off_h) + std::chrono::minutes(*off_m);
  return text[at] == '+' ? t - offset : t + offset;
}

std::optional<std::chrono::seconds> parse_relative(std::string_view text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  long long n = 0;
  const auto* end = text.data() + text.size() - 1;
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || ptr != end || n < 0) return std::nullopt;
  // At most 11 digits, so n * 86400 fits in the seconds' 64 bits; the caller bounds it.
  switch (text.back()) {
    case 's':
      return std::chrono::seconds(n);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'd':
      return std::chrono::seconds(n * 86400);
    default:
      return std::nullopt;
  }
}

std::string day_of(TimePoint t) {
  const std::chrono::year_month_day date{std::chrono::floor<days>(t)};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return out;
}

ordered_json optional_text(const std::string& text) {
  return text.empty() ? ordered_json(nullptr) : ordered_json(text);
}

// The cursor's sort key: "<occurred_at micros>:<id>" of the last event shown.
std::string position_key(const storage::EventRecord& e) {
  return std::to_string(
             std::chrono::duration_cast<std::chrono::microseconds>(e.occurred_at.time_since_epoch())
                 .count()) +
         ":" + std::to_string(e.id);
}

std::optional<storage::EventPosition> parse_position(const std::string& key) {
  const auto colon = key.find(':');
  if (colon == std::string::npos) return std::nullopt;
  // Beyond ±9.2e15 µs the conversion to TimePoint's nanoseconds would overflow.
  constexpr long long kMaxMicros = 9'200'000'000'000'000;
  long long micros = 0;
  std::int64_t id = 0;
  const char* begin = key.data();
  auto a = std::from_chars(begin, begin + colon, micros);
  auto b = std::from_chars(begin + colon + 1, begin + key.size(), id);
  if (a.ec != std::errc() || a.ptr != begin + colon || b.ec != std::errc() ||
      b.ptr != begin + key.size() || micros > kMaxMicros || micros < -kMaxMicros) {
    return std::nullopt;
  }
  return storage::EventPosition{
      TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros))),
      id};
}

bool looks_like_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string type_list() {
  std::string out;
  for (auto t : audit::all_types()) {
    if (!out.empty()) out += ", ";
    out += audit::type_name(t);
  }
  return out;
}

ordered_json describe_day(const DayFigures& d, bool with_client) {
  ordered_json j;
  j["day"] = d.day;
  if (with_client) j["client_id"] = optional_text(d.client_id);
  ordered_json grants = ordered_json::object();
  for (const auto& [grant, n] : d.tokens_by_grant) grants[grant.empty() ? "unknown" : grant] = n;
  j["tokens_issued"] = d.tokens_issued();
  j["tokens_by_grant"] = std::move(grants);
  j["sign_ins"] = d.sign_ins;
  j["sign_in_failures"] = d.sign_in_failures;
  j["active_users"] = d.active_users;
  return j;
}

}  // namespace

Result<TimePoint, OperationError> parse_time_bound(std::string_view text, TimePoint now,
                                                   std::string_view field) {
  if (auto relative = parse_relative(text)) {
    if (*relative > std::chrono::seconds(kMaxRelativeDays * 86400)) {
      return err(OperationError::invalid(std::string(field) + " must be a duration of at most " +
                                             std::to_string(kMaxRelativeDays) + " days",
                                         std::string(field)));
    }
    return now - *relative;
  }
  if (auto year = date_year(text); year && (*year < kEarliestYear || *year > kLatestYear)) {
    return err(OperationError::invalid(std::string(field) + " must be a time between the years " +
                                           std::to_string(kEarliestYear) + " and " +
                                           std::to_string(kLatestYear),
                                       std::string(field)));
  }
  if (auto absolute = parse_rfc3339(text)) return *absolute;
  return err(OperationError::invalid(
      std::string(field) + " must be an RFC 3339 time (2026-12-01T08:00:00Z, or a date) or a "
                           "duration before now (90s, 30m, 24h, 7d)",
      std::string(field)));
}

std::string event_time(TimePoint t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const auto whole_days = std::chrono::floor<days>(t);
  const std::chrono::hh_mm_ss tod{std::chrono::floor<std::chrono::microseconds>(t - whole_days)};
  char out[40];
  std::snprintf(out, sizeof out, "%sT%02lld:%02lld:%02lld.%06lldZ", day_of(t).c_str(),
                static_cast<long long>(tod.hours().count()),
                static_cast<long long>(tod.minutes().count()),
                static_cast<long long>(tod.seconds().count()),
                static_cast<long long>(((micros % 1000000) + 1000000) % 1000000));
  return out;
}

ordered_json describe_event(const storage::EventRecord& e) {
  ordered_json j;
  j["id"] = e.id;
  j["occurred_at"] = event_time(e.occurred_at);
  j["type"] = e.type;
  j["user_id"] = optional_text(e.user_id);
  j["client_id"] = optional_text(e.client_id);
  j["address"] = optional_text(e.address);
  j["request_id"] = optional_text(e.request_id);
  j["actor"] = optional_text(e.actor);
  auto detail = ordered_json::parse(e.detail_json, nullptr, /*allow_exceptions=*/false);
  j["detail"] = detail.is_object() ? std::move(detail) : ordered_json::object();
  return j;
}

std::uint64_t DayFigures::tokens_issued() const {
  std::uint64_t n = 0;
  for (const auto& [grant, count] : tokens_by_grant) n += count;
  return n;
}

ordered_json describe_stats(const EventStats& stats) {
  ordered_json j;
  j["days"] = stats.days;
  j["from"] = stats.from;
  j["to"] = stats.to;
  auto totals = ordered_json::array();
  for (const auto& d : stats.totals) totals.push_back(describe_day(d, false));
  j["totals"] = std::move(totals);
  auto by_client = ordered_json::array();
  for (const auto& d : stats.by_client) by_client.push_back(describe_day(d, true));
  j["by_client"] = std::move(by_client);
  return j;
}

EventOperations::EventOperations(storage::Database& database) : database_(database) {}

Result<Page<storage::EventRecord>, OperationError> EventOperations::list(const EventQuery& query,
                                                                         const PageRequest& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return err(OperationError::invalid(
        "limit must be between 1 and " + std::to_string(kMaxPageLimit), "limit"));
  }
  std::optional<storage::EventPosition> after;
  if (page.cursor) {
    auto key = decode_cursor(*page.cursor);
    if (!key.ok()) return err(key.error());
    after = parse_position(*key);
    if (!after) {
      return err(OperationError::invalid("the cursor is not one this server issued", "cursor"));
    }
  }
  storage::EventFilter filter;
  if (query.type) {
    if (!audit::parse_type(*query.type)) {
      return err(OperationError::invalid(
          "unknown event type '" + *query.type + "'; the types are: " + type_list(), "type"));
    }
    filter.type = *query.type;
  }
  if (query.user) {
    if (looks_like_uuid(*query.user)) {
      filter.user_id = *query.user;
    } else {
      storage::UserRepository users(database_);
      auto found = users.find_by_username(*query.user);
      if (!found.ok()) return err(OperationError::from_storage(found.error()));
      if (!*found) return err(OperationError::not_found("no user '" + *query.user + "'"));
      filter.user_id = (*found)->id;
    }
  }
  filter.client_id = query.client_id;
  filter.since = query.since;
  filter.until = query.until;
  storage::EventRepository events(database_);
  // One more than asked: whether there is a next page, without a count.
  auto rows = events.list(filter, after, page.limit + 1);
  if (!rows.ok()) return err(OperationError::from_storage(rows.error()));
  Page<storage::EventRecord> out;
  out.items = std::move(rows).value();
  if (out.items.size() > page.limit) {
    out.items.resize(page.limit);
    out.next_cursor = encode_cursor(position_key(out.items.back()));
  }
  return out;
}

Result<EventStats, OperationError> EventOperations::stats(int days_back, TimePoint now) {
  if (days_back < 1 || days_back > kMaxStatsDays) {
    return err(OperationError::invalid(
        "days must be between 1 and " + std::to_string(kMaxStatsDays), "days"));
  }
  const sys_days today = std::chrono::floor<days>(now);
  const sys_days first = today - days(days_back - 1);
  storage::EventRepository events(database_);
  auto figures = events.statistics(first, today + days(1));
  if (!figures.ok()) return err(OperationError::from_storage(figures.error()));
  EventStats stats;
  stats.days = days_back;
  stats.from = day_of(first);
  stats.to = day_of(today);
  std::map<std::string, const storage::EventDayTotals*> by_day;
  for (const auto& t : figures->totals) by_day[t.day] = &t;
  for (sys_days d = first; d <= today; d += days(1)) {
    DayFigures f;
    f.day = day_of(d);
    if (auto it = by_day.find(f.day); it != by_day.end()) {
      f.tokens_by_grant = it->second->tokens_by_grant;
      f.sign_ins = it->second->sign_ins;
      f.sign_in_failures = it->second->sign_in_failures;
      f.active_users = it->second->active_users;
    }
    stats.totals.push_back(std::move(f));
  }
  for (const auto& c : figures->by_client) {
    stats.by_client.push_back(DayFigures{c.day, c.client_id, c.tokens_by_grant, c.sign_ins,
                                         c.sign_in_failures, c.active_users});
  }
  return stats;
}

}  // namespace keyward::operations
