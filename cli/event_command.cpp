#include "cli/event_command.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <iomanip>
#include <sstream>

#include "cli/client_command.h"
#include "operations/event_operations.h"

namespace keyward::cli {

const char* const kEventsUsage =
    "usage: keyward events [--user U] [--client C] [--type T] [--since T] [--until T]\n"
    "                      [--limit N] [--json]\n"
    "\n"
    "  The audit events, newest first: time, type, user, client, address, actor, detail.\n"
    "  --user U     a username or a user id (a deleted user's events by id)\n"
    "  --client C   a client id\n"
    "  --type T     one event type (sign_in, sign_in_failed, token_issued, ...;\n"
    "               docs/observability.md lists them)\n"
    "  --since T    at or after T: RFC 3339 (2026-12-01T08:00:00Z, or a date) or a\n"
    "               duration before now (90s, 30m, 24h, 7d)\n"
    "  --until T    before T, written the same way\n"
    "  --limit N    at most N events (1-10000, default 50)\n"
    "  --json       a JSON array, one object per event\n"
    "\n"
    "Settings come from KEYWARD_DATABASE_URL (docs/configuration.md).\n";

const char* const kStatsUsage =
    "usage: keyward stats [--days N] [--json]\n"
    "\n"
    "  Per UTC day, over every client and per client, for the last N days (today\n"
    "  included; 1-366, default 7): tokens issued (by grant), sign-ins, sign-in failures\n"
    "  (refused and throttled) and active users (distinct users who signed in or got a\n"
    "  token). Figures come from the audit events (KEYWARD_EVENTS=on).\n"
    "  --json       the figures as JSON, as /admin/v1/stats answers\n"
    "\n"
    "Settings come from KEYWARD_DATABASE_URL (docs/configuration.md).\n";

namespace {

constexpr size_t kMaxCliLimit = 10000;

std::optional<long long> whole_number(const std::string& text) {
  long long value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

bool wants_help(const std::vector<std::string>& args) {
  return args.size() == 1 && (args[0] == "help" || args[0] == "--help" || args[0] == "-h");
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

// The grant counts of a row as "authorization_code=2 refresh_token=1", or "-".
std::string grants_text(const operations::DayFigures& d) {
  std::string out;
  for (const auto& [grant, n] : d.tokens_by_grant) {
    if (!out.empty()) out += ' ';
    out += (grant.empty() ? std::string("unknown") : grant) + "=" + std::to_string(n);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

int run_events_command(const std::vector<std::string>& args, const server::EnvGetter& env,
                       std::ostream& out, std::ostream& err) {
  const std::string name = "events";
  if (wants_help(args)) {
    out << kEventsUsage;
    return 0;
  }
  auto parsed = parse_command_args(
      args, {{"user"}, {"client"}, {"type"}, {"since"}, {"until"}, {"limit"}, {"json", false}});
  if (!parsed.ok()) {
    err << "keyward " << name << ": " << parsed.error() << "\n" << kEventsUsage;
    return kExitUsage;
  }
  if (!parsed->positional.empty()) {
    err << "keyward " << name << ": unexpected argument '" << parsed->positional.front() << "'\n"
        << kEventsUsage;
    return kExitUsage;
  }
  size_t limit = operations::kDefaultPageLimit;
  if (auto text = parsed->single("limit")) {
    const auto n = whole_number(*text);
    if (!n || *n < 1 || static_cast<size_t>(*n) > kMaxCliLimit) {
      err << "keyward " << name << ": --limit must be 1 to " << kMaxCliLimit << "\n";
      return kExitUsage;
    }
    limit = static_cast<size_t>(*n);
  }
  const TimePoint now = SystemClock().now();
  operations::EventQuery query;
  query.user = parsed->single("user");
  query.client_id = parsed->single("client");
  query.type = parsed->single("type");
  for (const auto& [option, bound] :
       {std::pair{"since", &query.since}, std::pair{"until", &query.until}}) {
    if (auto text = parsed->single(option)) {
      auto t = operations::parse_time_bound(*text, now, std::string("--") + option);
      if (!t.ok()) {
        err << "keyward " << name << ": " << t.error().message << "\n";
        return kExitUsage;
      }
      *bound = *t;
    }
  }
  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  operations::EventOperations events(context->database);
  // Pages of the operations' size until `limit` events or the last page.
  std::vector<storage::EventRecord> rows;
  operations::PageRequest page;
  while (rows.size() < limit) {
    page.limit = std::min(operations::kMaxPageLimit, limit - rows.size());
    auto listed = events.list(query, page);
    if (!listed.ok()) {
      auto e = listed.error();
      // The CLI names its options with their dashes.
      if (e.kind == operations::OperationErrorKind::Invalid && e.field == "type") {
        err << "keyward " << name << ": --type: " << e.message << "\n";
        return kExitUsage;
      }
      return report_operation_error(err, name, e);
    }
    for (auto& r : listed->items) rows.push_back(std::move(r));
    if (!listed->next_cursor) break;
    page.cursor = listed->next_cursor;
  }
  if (parsed->has("json")) {
    auto doc = nlohmann::ordered_json::array();
    for (const auto& r : rows) doc.push_back(operations::describe_event(r));
    out << doc.dump(2) << "\n";
    return 0;
  }
  out << "time\ttype\tuser\tclient\taddress\tactor\tdetail\n";
  for (const auto& r : rows) {
    out << operations::event_time(r.occurred_at) << "\t" << r.type << "\t" << or_dash(r.user_id)
        << "\t" << or_dash(r.client_id) << "\t" << or_dash(r.address) << "\t" << or_dash(r.actor)
        << "\t" << r.detail_json << "\n";
  }
  return 0;
}

int run_stats_command(const std::vector<std::string>& args, const server::EnvGetter& env,
                      std::ostream& out, std::ostream& err) {
  const std::string name = "stats";
  if (wants_help(args)) {
    out << kStatsUsage;
    return 0;
  }
  auto parsed = parse_command_args(args, {{"days"}, {"json", false}});
  if (!parsed.ok()) {
    err << "keyward " << name << ": " << parsed.error() << "\n" << kStatsUsage;
    return kExitUsage;
  }
  if (!parsed->positional.empty()) {
    err << "keyward " << name << ": unexpected argument '" << parsed->positional.front() << "'\n"
        << kStatsUsage;
    return kExitUsage;
  }
  int days = operations::kDefaultStatsDays;
  if (auto text = parsed->single("days")) {
    const auto n = whole_number(*text);
    if (!n || *n < 1 || *n > operations::kMaxStatsDays) {
      err << "keyward " << name << ": --days must be 1 to " << operations::kMaxStatsDays << "\n";
      return kExitUsage;
    }
    days = static_cast<int>(*n);
  }
  auto context = open_context(name, env, err);
  if (!context) return kExitUsage;
  auto stats = operations::EventOperations(context->database).stats(days, SystemClock().now());
  if (!stats.ok()) return report_operation_error(err, name, stats.error());
  if (parsed->has("json")) {
    out << operations::describe_stats(*stats).dump(2) << "\n";
    return 0;
  }
  // One line per day over every client, then a line per client active that day.
  size_t client_width = 12;
  for (const auto& c : stats->by_client) {
    client_width = std::max(client_width, c.client_id.size() + 2);
  }
  std::ostringstream table;
  const auto line = [&](const std::string& day, const std::string& client,
                        const operations::DayFigures& d) {
    table << std::left << std::setw(12) << day << std::setw(static_cast<int>(client_width) + 2)
          << client << std::right << std::setw(8) << d.tokens_issued() << std::setw(10)
          << d.sign_ins << std::setw(10) << d.sign_in_failures << std::setw(8) << d.active_users
          << "  " << grants_text(d) << "\n";
  };
  table << std::left << std::setw(12) << "day" << std::setw(static_cast<int>(client_width) + 2)
        << "client" << std::right << std::setw(8) << "tokens" << std::setw(10) << "sign-ins"
        << std::setw(10) << "failures" << std::setw(8) << "active"
        << "  tokens by grant\n";
  for (const auto& day : stats->totals) {
    line(day.day, "(all)", day);
    for (const auto& c : stats->by_client) {
      if (c.day == day.day) line("", "  " + (c.client_id.empty() ? "(none)" : c.client_id), c);
    }
  }
  out << "audit statistics, " << stats->from << " to " << stats->to << " (UTC)\n" << table.str();
  return 0;
}

}  // namespace keyward::cli
