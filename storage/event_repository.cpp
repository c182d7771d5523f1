#include "storage/event_repository.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "storage/detail/params.h"
#include "storage/detail/pool.h"
#include "storage/detail/rows.h"
#include "storage/detail/sql_time.h"
#include "storage/detail/statements.h"
#include "storage/detail/text_array.h"

namespace keyward::storage {
namespace {

using detail::to_micros;

// The column limits of migrations/0011_events.sql, in bytes (a byte bound is a character
// bound too).
constexpr std::size_t kMaxClientId = 1000;
constexpr std::size_t kMaxAddress = 100;
constexpr std::size_t kMaxRequestId = 200;
constexpr std::size_t kMaxActor = 1100;
constexpr std::size_t kMaxDetail = 16 * 1024;

// clang-format off
#define EVENT_COLUMNS                                                                       \
  "id, " SQL_MICROS("occurred_at") ", type, COALESCE(user_id::text, ''),"                   \
  " COALESCE(client_id, ''), COALESCE(address, ''), COALESCE(request_id, ''),"             \
  " COALESCE(actor, ''), detail::text"

// The statistics count these types; their names are audit::type_name()'s, an interface
// that is added to and never renamed (audit/event.h).
#define COUNTED_TYPES "('token_issued', 'sign_in', 'sign_in_failed', 'sign_in_throttled')"
#define ACTIVE_TYPES "('token_issued', 'sign_in')"
#define UTC_DAY "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

constexpr std::array kStatements{
    // One statement per batch: eight parallel arrays, unnested server-side.
    detail::PreparedStatement{
        "events_insert",
        "INSERT INTO events (occurred_at, type, user_id, client_id, address, request_id, actor,"
        " detail)"
        " SELECT TIMESTAMPTZ 'epoch' + e.t * INTERVAL '1 microsecond', e.ty, NULLIF(e.u, '')::uuid,"
        " NULLIF(e.c, ''), NULLIF(e.a, ''), NULLIF(e.r, ''), NULLIF(e.ac, ''), e.d::jsonb"
        " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
        " $7::text[], $8::text[]) AS e(t, ty, u, c, a, r, ac, d)"},
    // Each filter is off when its parameter is NULL. $6/$7: the position a page starts
    // after, compared as a row so that (occurred_at, id) descending is one index range.
    detail::PreparedStatement{
        "events_list",
        "SELECT " EVENT_COLUMNS " FROM events"
        " WHERE ($1::uuid IS NULL OR user_id = $1::uuid)"
        " AND ($2::text IS NULL OR client_id = $2::text)"
        " AND ($3::text IS NULL OR type = $3::text)"
        " AND ($4::bigint IS NULL OR occurred_at >= " SQL_TS(4) ")"
        " AND ($5::bigint IS NULL OR occurred_at < " SQL_TS(5) ")"
        " AND ($6::bigint IS NULL OR (occurred_at, id) < (" SQL_TS(6) ", $7::bigint))"
        " ORDER BY occurred_at DESC, id DESC LIMIT $8"},
    detail::PreparedStatement{
        "events_prune",
        "DELETE FROM events WHERE id IN"
        " (SELECT id FROM events WHERE occurred_at < " SQL_TS(1) " LIMIT $2)"},
    // Per UTC day, client, type and (for tokens) grant.
    detail::PreparedStatement{
        "events_stats_counts",
        "SELECT " UTC_DAY ", COALESCE(client_id, ''), type,"
        " CASE WHEN type = 'token_issued' THEN COALESCE(detail->>'grant', '') ELSE '' END,"
        " count(*)"
        " FROM events WHERE type IN " COUNTED_TYPES
        " AND occurred_at >= " SQL_TS(1) " AND occurred_at < " SQL_TS(2)
        " GROUP BY 1, 2, 3, 4"},
    // Distinct users per (day, client) and per day (GROUPING(client) = 1).
    detail::PreparedStatement{
        "events_stats_active",
        "SELECT day, client, GROUPING(client), count(DISTINCT user_id) FROM"
        " (SELECT " UTC_DAY " AS day, COALESCE(client_id, '') AS client, user_id FROM events"
        "  WHERE type IN " ACTIVE_TYPES " AND user_id IS NOT NULL"
        "  AND occurred_at >= " SQL_TS(1) " AND occurred_at < " SQL_TS(2) ") e"
        " GROUP BY GROUPING SETS ((day, client), (day))"},
};
// clang-format on

#undef EVENT_COLUMNS
#undef COUNTED_TYPES
#undef ACTIVE_TYPES
#undef UTC_DAY

// Text PostgreSQL accepts whatever an emitter handed us: no NUL, valid UTF-8 (bytes of a
// broken sequence become '?'), at most `max` bytes, cut on a character boundary.
std::string clean_text(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  const bool valid = is_utf8(text);
  for (char ch : text) {
    if (ch == '\0') continue;
    out.push_back(!valid && static_cast<unsigned char>(ch) >= 0x80 ? '?' : ch);
  }
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool is_type_name(std::string_view type) {
  if (type.empty() || type.size() > 64 || type[0] < 'a' || type[0] > 'z') return false;
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// jsonb refuses \u0000 in strings; keys and values lose their NULs.
nlohmann::json without_nul(const nlohmann::json& value) {
  const auto strip = [](const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
      if (c != '\0') out.push_back(c);
    }
    return out;
  };
  if (value.is_string()) return strip(value.get_ref<const std::string&>());
  if (value.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(without_nul(v));
    return out;
  }
  if (value.is_object()) {
    auto out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) out[strip(k)] = without_nul(v);
    return out;
  }
  return value;
}

std::string clean_detail(const std::string& text) {
  static const std::string kInvalid = R"({"invalid_detail":true})";
  if (text.size() > kMaxDetail) return R"({"detail_too_long":true})";
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return kInvalid;
  if (text.find("\\u0000") == std::string::npos) return text;
  return without_nul(parsed).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

EventRecord read_event(const pqxx::row& row) {
  EventRecord e;
  e.id = row[0].as<std::int64_t>();
  e.occurred_at = detail::read_time(row[1]);
  e.type = row[2].as<std::string>();
  e.user_id = row[3].as<std::string>();
  e.client_id = row[4].as<std::string>();
  e.address = row[5].as<std::string>();
  e.request_id = row[6].as<std::string>();
  e.actor = row[7].as<std::string>();
  e.detail_json = row[8].as<std::string>();
  return e;
}

std::string bigint_array_literal(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

}  // namespace

namespace detail {
std::span<const PreparedStatement> event_repository_statements() {
  return kStatements;
}
}  // namespace detail

EventRepository::EventRepository(Database& database) : pool_(database.pool()) {}

Result<Unit, StorageError> EventRepository::insert_batch(const std::vector<EventRecord>& events) {
  if (events.empty()) return Unit{};
  std::vector<std::int64_t> at;
  std::vector<std::string> type, user, client, address, request, actor, detail_json;
  for (auto* column : {&type, &user, &client, &address, &request, &actor, &detail_json}) {
    column->reserve(events.size());
  }
  at.reserve(events.size());
  for (const auto& e : events) {
    at.push_back(to_micros(e.occurred_at));
    type.push_back(is_type_name(e.type) ? e.type : "unknown");
    user.push_back(is_uuid(e.user_id) ? e.user_id : "");
    client.push_back(clean_text(e.client_id, kMaxClientId));
    address.push_back(clean_text(e.address, kMaxAddress));
    request.push_back(clean_text(e.request_id, kMaxRequestId));
    actor.push_back(clean_text(e.actor, kMaxActor));
    detail_json.push_back(clean_detail(e.detail_json));
  }
  // Not retried on a broken connection: the batch may have committed. The writer decides.
  return pool_.run([&](pqxx::nontransaction& tx) {
    tx.exec_prepared("events_insert", bigint_array_literal(at), detail::text_array_literal(type),
                     detail::text_array_literal(user), detail::text_array_literal(client),
                     detail::text_array_literal(address), detail::text_array_literal(request),
                     detail::text_array_literal(actor), detail::text_array_literal(detail_json));
  });
}

Result<std::vector<EventRecord>, StorageError> EventRepository::list(
    const EventFilter& filter, const std::optional<EventPosition>& after, std::size_t limit) {
  // Not a UUID: no event can match (and the cast would fail the statement).
  if (filter.user_id && !is_uuid(*filter.user_id)) return std::vector<EventRecord>{};
  const detail::NullableText user(filter.user_id);
  const detail::NullableText client(filter.client_id);
  const detail::NullableText type(filter.type);
  const auto since = detail::nullable_micros(filter.since);
  const auto until = detail::nullable_micros(filter.until);
  const auto after_at =
      detail::nullable_micros(after ? std::optional<TimePoint>(after->occurred_at) : std::nullopt);
  const detail::NullableText after_id(after ? std::optional<std::string>(std::to_string(after->id))
                                            : std::nullopt);
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        return detail::read_all(
            tx.exec_prepared("events_list", user.get(), client.get(), type.get(), since.get(),
                             until.get(), after_at.get(), after_id.get(),
                             static_cast<long long>(limit)),
            read_event);
      },
      detail::Retry::OnceIfBroken);
}

Result<std::size_t, StorageError> EventRepository::prune(TimePoint before, std::size_t batch_size,
                                                         std::size_t max_batches) {
  const auto before_micros = to_micros(before);
  const auto batch = static_cast<long long>(batch_size);
  return pool_.run([&](pqxx::nontransaction& tx) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < max_batches; ++i) {
      const auto n = static_cast<std::size_t>(
          tx.exec_prepared("events_prune", before_micros, batch).affected_rows());
      total += n;
      if (n < batch_size) break;
    }
    return total;
  });
}

Result<EventStatistics, StorageError> EventRepository::statistics(TimePoint since,
                                                                  TimePoint until) {
  return pool_.run(
      [&](pqxx::nontransaction& tx) {
        using Key = std::pair<std::string, std::string>;  // day, client
        std::map<Key, EventDayClientCounts> by_client;
        std::map<std::string, EventDayTotals> totals;
        std::map<Key, std::map<std::string, std::uint64_t>> grants_by_client;
        std::map<std::string, std::map<std::string, std::uint64_t>> grants_by_day;
        for (const auto& row :
             tx.exec_prepared("events_stats_counts", to_micros(since), to_micros(until))) {
          const auto day = row[0].as<std::string>();
          const auto client = row[1].as<std::string>();
          const auto type = row[2].as<std::string>();
          const auto grant = row[3].as<std::string>();
          const auto n = row[4].as<std::uint64_t>();
          auto& c = by_client[{day, client}];
          c.day = day;
          c.client_id = client;
          auto& t = totals[day];
          t.day = day;
          if (type == "token_issued") {
            grants_by_client[{day, client}][grant] += n;
            grants_by_day[day][grant] += n;
          } else if (type == "sign_in") {
            c.sign_ins += n;
            t.sign_ins += n;
          } else {
            c.sign_in_failures += n;
            t.sign_in_failures += n;
          }
        }
        for (const auto& row :
             tx.exec_prepared("events_stats_active", to_micros(since), to_micros(until))) {
          const auto day = row[0].as<std::string>();
          const auto n = row[3].as<std::uint64_t>();
          if (row[2].as<int>() == 1) {
            totals[day].day = day;
            totals[day].active_users = n;
          } else {
            const auto client = row[1].as<std::string>();
            auto& c = by_client[{day, client}];
            c.day = day;
            c.client_id = client;
            c.active_users = n;
          }
        }
        EventStatistics stats;
        for (auto& [key, c] : by_client) {
          for (const auto& g : grants_by_client[key]) c.tokens_by_grant.emplace_back(g);
          stats.by_client.push_back(std::move(c));
        }
        for (auto& [day, t] : totals) {
          for (const auto& g : grants_by_day[day]) t.tokens_by_grant.emplace_back(g);
          stats.totals.push_back(std::move(t));
        }
        return stats;
      },
      detail::Retry::OnceIfBroken);
}

}  // namespace keyward::storage
