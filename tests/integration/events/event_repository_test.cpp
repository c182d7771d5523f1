// EventRepository and EventOperations (migrations/0011_events.sql): a batch is one
// statement and survives odd values; every filter; keyset paging; pruning by retention;
// the statistics of a known workload, figure by figure.
#include "storage/event_repository.h"

#include <gtest/gtest.h>

#include <set>

#include "operations/event_operations.h"
#include "storage/janitor.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using namespace std::chrono_literals;
using test::StorageTest;

// 2026-03-10T00:00:00Z, and a sub-second part to prove times round-trip exactly.
const TimePoint kDay1 = TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 3 / 10));
const TimePoint kDay2 = kDay1 + 24h;

constexpr const char* kU1 = "11111111-1111-4111-8111-111111111111";
constexpr const char* kU2 = "22222222-2222-4222-8222-222222222222";
constexpr const char* kU3 = "33333333-3333-4333-8333-333333333333";

EventRecord event(std::string type, TimePoint at, std::string user = "", std::string client = "",
                  std::string detail = "{}") {
  EventRecord e;
  e.type = std::move(type);
  e.occurred_at = at;
  e.user_id = std::move(user);
  e.client_id = std::move(client);
  e.detail_json = std::move(detail);
  return e;
}

EventRecord token(TimePoint at, std::string client, std::string grant, std::string user = "") {
  return event("token_issued", at, std::move(user), std::move(client),
               R"({"grant":")" + grant + R"(","scope":"openid"})");
}

class EventRepositoryTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    events_.emplace(database());
  }
  EventRepository& events() { return *events_; }

  void insert(const std::vector<EventRecord>& batch) {
    auto r = events().insert_batch(batch);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::vector<EventRecord> list(const EventFilter& filter = {},
                                std::optional<EventPosition> after = std::nullopt,
                                size_t limit = 100) {
    auto r = events().list(filter, after, limit);
    if (!r.ok()) throw std::runtime_error(r.error().message);
    return std::move(r).value();
  }
  static std::vector<std::string> types_of(const std::vector<EventRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.type);
    return out;
  }

  std::optional<EventRepository> events_;
};

TEST_F(EventRepositoryTest, BatchRoundTripsEveryField) {
  EventRecord full = event("sign_in", kDay1 + 123456us, kU1, "app",
                           R"({"method":"password","n":3,"nested":{"a":[1,2]}})");
  full.address = "203.0.113.7";
  full.request_id = "req-1";
  full.actor = "admin:deploy";
  EventRecord bare = event("logout", kDay1 + 2s);
  insert({full, bare});
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "2");
  const auto rows = list();
  ASSERT_EQ(rows.size(), 2u);
  // Newest first.
  EXPECT_EQ(rows[0].type, "logout");
  EXPECT_EQ(rows[0].user_id, "");
  EXPECT_EQ(rows[0].detail_json, "{}");
  const auto& got = rows[1];
  EXPECT_GT(got.id, 0);
  EXPECT_EQ(got.occurred_at, full.occurred_at);
  EXPECT_EQ(got.type, "sign_in");
  EXPECT_EQ(got.user_id, kU1);
  EXPECT_EQ(got.client_id, "app");
  EXPECT_EQ(got.address, "203.0.113.7");
  EXPECT_EQ(got.request_id, "req-1");
  EXPECT_EQ(got.actor, "admin:deploy");
  EXPECT_EQ(nlohmann::json::parse(got.detail_json),
            nlohmann::json::parse(R"({"method":"password","n":3,"nested":{"a":[1,2]}})"));
  // Empty strings are stored as NULL, not as ''.
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events WHERE client_id IS NULL AND address IS NULL"
                        " AND request_id IS NULL AND actor IS NULL AND user_id IS NULL"),
            "1");
}

TEST_F(EventRepositoryTest, OddValuesNeverFailTheBatch) {
  EventRecord odd = event("sign_in_failed", kDay1, "not-a-uuid", std::string(3000, 'c'),
                          R"({"reason":"bad\u0000credentials"})");
  odd.address = std::string("10.0.0.1\0x", 10);
  odd.request_id = "\xff\xfe broken utf-8";
  odd.actor = std::string(2000, 'a');
  EventRecord not_object = event("sign_in", kDay1, kU1, "", "[1,2]");
  EventRecord not_json = event("sign_in", kDay1, kU1, "", "{nope");
  EventRecord bad_type = event("Not A Type", kDay1);
  insert({odd, not_object, not_json, bad_type});
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "4");
  EXPECT_EQ(db().scalar("SELECT user_id IS NULL FROM events WHERE type = 'sign_in_failed'"), "t");
  EXPECT_EQ(db().scalar("SELECT char_length(client_id) FROM events WHERE type = 'sign_in_failed'"),
            "1000");
  EXPECT_EQ(db().scalar("SELECT address FROM events WHERE type = 'sign_in_failed'"), "10.0.0.1x");
  EXPECT_EQ(db().scalar("SELECT detail->>'reason' FROM events WHERE type = 'sign_in_failed'"),
            "badcredentials");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events WHERE detail = '{\"invalid_detail\": true}'"),
            "2");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events WHERE type = 'unknown'"), "1");
}

TEST_F(EventRepositoryTest, EmptyBatchIsNothing) {
  insert({});
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "0");
}

TEST_F(EventRepositoryTest, TheTableRefusesWhatTheWriterNeverSends) {
  EXPECT_THROW(db().exec("INSERT INTO events (occurred_at, type) VALUES (now(), 'Sign In')"),
               std::runtime_error);
  EXPECT_THROW(
      db().exec("INSERT INTO events (occurred_at, type, detail) VALUES (now(), 'x', '[]')"),
      std::runtime_error);
}

TEST_F(EventRepositoryTest, EveryFilterAndItsCombination) {
  insert({
      event("sign_in", kDay1 + 1s, kU1, "a"),
      event("sign_in", kDay1 + 2s, kU2, "b"),
      event("token_issued", kDay1 + 3s, kU1, "b"),
      event("logout", kDay1 + 4s, kU1, ""),
      event("sign_in_failed", kDay1 + 5s, "", "a"),
  });
  EXPECT_EQ(types_of(list({.user_id = kU1})),
            (std::vector<std::string>{"logout", "token_issued", "sign_in"}));
  EXPECT_EQ(types_of(list({.client_id = "a"})),
            (std::vector<std::string>{"sign_in_failed", "sign_in"}));
  EXPECT_EQ(list({.type = "sign_in"}).size(), 2u);
  EXPECT_EQ(types_of(list({.since = kDay1 + 3s})),
            (std::vector<std::string>{"sign_in_failed", "logout", "token_issued"}));
  EXPECT_EQ(types_of(list({.until = kDay1 + 3s})),
            (std::vector<std::string>{"sign_in", "sign_in"}));
  EXPECT_EQ(types_of(list({.user_id = kU1,
                           .client_id = "b",
                           .type = "token_issued",
                           .since = kDay1 + 3s,
                           .until = kDay1 + 4s})),
            (std::vector<std::string>{"token_issued"}));
  EXPECT_TRUE(list({.user_id = kU3}).empty());
  EXPECT_TRUE(list({.user_id = "not-a-uuid"}).empty());
  EXPECT_TRUE(list({.client_id = "nobody"}).empty());
}

TEST_F(EventRepositoryTest, KeysetPagingNewestFirstWithTies) {
  std::vector<EventRecord> batch;
  // Three events share each instant: the id orders them.
  for (int i = 0; i < 9; ++i)
    batch.push_back(event("sign_in", kDay1 + std::chrono::seconds(i / 3)));
  insert(batch);
  std::vector<std::int64_t> seen;
  std::optional<EventPosition> after;
  for (int page = 0; page < 10; ++page) {
    auto rows = list({}, after, 4);
    if (rows.empty()) break;
    for (const auto& r : rows) seen.push_back(r.id);
    after = EventPosition{rows.back().occurred_at, rows.back().id};
  }
  ASSERT_EQ(seen.size(), 9u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 9u);
  auto all = list();
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, seen[i]);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_TRUE(all[i - 1].occurred_at > all[i].occurred_at ||
                (all[i - 1].occurred_at == all[i].occurred_at && all[i - 1].id > all[i].id));
  }
}

TEST_F(EventRepositoryTest, PruneDeletesOnlyOlderInBatches) {
  std::vector<EventRecord> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(event("sign_in", kDay1 + std::chrono::seconds(i)));
  batch.push_back(event("sign_in", kDay2));
  insert(batch);
  auto pruned = events().prune(kDay1 + 5s, /*batch_size=*/2);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 5u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "3");
  // max_batches bounds one call; the next carries on.
  pruned = events().prune(kDay2 + 1s, 1, /*max_batches=*/2);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "1");
}

TEST_F(EventRepositoryTest, JanitorPrunesPastRetentionAndCountsThem) {
  const TimePoint now = kDay2 + 12h;
  insert({event("sign_in", now - 91 * 24h), event("sign_in", now - 90 * 24h - 1s),
          event("sign_in", now - 89 * 24h), event("sign_in", now)});
  JanitorOptions options;
  options.batch_size = 1;
  Janitor janitor(database(), options);
  auto counts = janitor.run_once(now);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->events, 2u);
  EXPECT_EQ(counts->total(), 2u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "2");
  // A shorter retention from the settings.
  options.event_retention = std::chrono::hours(24);
  auto again = Janitor(database(), options).run_once(now);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events, 1u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events"), "1");
}

// The known workload of docs/observability.md "Statistics": every figure is checked.
class EventStatisticsTest : public EventRepositoryTest {
 protected:
  void SetUp() override {
    EventRepositoryTest::SetUp();
    if (IsSkipped()) return;
    insert({
        // Before the window.
        token(kDay1 - 1s, "A", "authorization_code", kU1),
        event("sign_in", kDay1 - 1s, kU3, "A"),
        // Day 1.
        token(kDay1 + 1h, "A", "authorization_code", kU1),
        token(kDay1 + 2h, "A", "authorization_code", kU1),
        token(kDay1 + 3h, "A", "refresh_token", kU1),
        token(kDay1 + 4h, "B", "client_credentials"),
        token(kDay1 + 5h, "B", "client_credentials"),
        token(kDay1 + 6h, "B", "client_credentials"),
        event("sign_in", kDay1 + 1h, kU1, "A"),
        event("sign_in", kDay1 + 2h, kU2, "A"),
        event("sign_in_failed", kDay1 + 3h, "", "A"),
        event("sign_in_throttled", kDay1 + 4h, "", "A"),
        event("sign_in", kDay1 + 5h, kU3, ""),
        event("consent_given", kDay1 + 6h, kU1, "A"),
        event("client_auth_failed", kDay1 + 6h, "", "B"),
        // Day 2 (the last second of it included).
        token(kDay2 + 1h, "A", "authorization_code", kU2),
        event("sign_in_failed", kDay2 + 2h, kU1, "B"),
        event("sign_in_failed", kDay2 + 3h, kU1, "B"),
        event("sign_in", kDay2 + 24h - 1s, kU1, "A"),
    });
  }
};

using Counts = std::vector<std::pair<std::string, std::uint64_t>>;

TEST_F(EventStatisticsTest, RepositoryFiguresPerDayAndClient) {
  auto stats = events().statistics(kDay1, kDay2 + 24h);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  ASSERT_EQ(stats->by_client.size(), 5u);
  const auto& d1_none = stats->by_client[0];
  EXPECT_EQ(d1_none.day, "2026-03-10");
  EXPECT_EQ(d1_none.client_id, "");
  EXPECT_EQ(d1_none.tokens_by_grant, Counts{});
  EXPECT_EQ(d1_none.sign_ins, 1u);
  EXPECT_EQ(d1_none.sign_in_failures, 0u);
  EXPECT_EQ(d1_none.active_users, 1u);
  const auto& d1_a = stats->by_client[1];
  EXPECT_EQ(d1_a.client_id, "A");
  EXPECT_EQ(d1_a.tokens_by_grant, (Counts{{"authorization_code", 2}, {"refresh_token", 1}}));
  EXPECT_EQ(d1_a.sign_ins, 2u);
  EXPECT_EQ(d1_a.sign_in_failures, 2u);
  EXPECT_EQ(d1_a.active_users, 2u);
  const auto& d1_b = stats->by_client[2];
  EXPECT_EQ(d1_b.client_id, "B");
  EXPECT_EQ(d1_b.tokens_by_grant, (Counts{{"client_credentials", 3}}));
  EXPECT_EQ(d1_b.sign_ins, 0u);
  EXPECT_EQ(d1_b.sign_in_failures, 0u);
  EXPECT_EQ(d1_b.active_users, 0u);
  const auto& d2_a = stats->by_client[3];
  EXPECT_EQ(d2_a.day, "2026-03-11");
  EXPECT_EQ(d2_a.client_id, "A");
  EXPECT_EQ(d2_a.tokens_by_grant, (Counts{{"authorization_code", 1}}));
  EXPECT_EQ(d2_a.sign_ins, 1u);
  EXPECT_EQ(d2_a.active_users, 2u);
  const auto& d2_b = stats->by_client[4];
  EXPECT_EQ(d2_b.client_id, "B");
  EXPECT_EQ(d2_b.sign_in_failures, 2u);
  EXPECT_EQ(d2_b.active_users, 0u);

  ASSERT_EQ(stats->totals.size(), 2u);
  EXPECT_EQ(stats->totals[0].day, "2026-03-10");
  EXPECT_EQ(stats->totals[0].tokens_by_grant,
            (Counts{{"authorization_code", 2}, {"client_credentials", 3}, {"refresh_token", 1}}));
  EXPECT_EQ(stats->totals[0].sign_ins, 3u);
  EXPECT_EQ(stats->totals[0].sign_in_failures, 2u);
  // U1, U2, U3: each once, though U1 is active on two counts.
  EXPECT_EQ(stats->totals[0].active_users, 3u);
  EXPECT_EQ(stats->totals[1].day, "2026-03-11");
  EXPECT_EQ(stats->totals[1].tokens_by_grant, (Counts{{"authorization_code", 1}}));
  EXPECT_EQ(stats->totals[1].sign_ins, 1u);
  EXPECT_EQ(stats->totals[1].sign_in_failures, 2u);
  EXPECT_EQ(stats->totals[1].active_users, 2u);
}

TEST_F(EventStatisticsTest, OperationsFillEveryDayOfTheWindow) {
  operations::EventOperations ops(database());
  auto stats = ops.stats(3, kDay2 + 12h);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->from, "2026-03-09");
  EXPECT_EQ(stats->to, "2026-03-11");
  ASSERT_EQ(stats->totals.size(), 3u);
  // The day before holds only the events one second before day 1.
  EXPECT_EQ(stats->totals[0].day, "2026-03-09");
  EXPECT_EQ(stats->totals[0].tokens_issued(), 1u);
  EXPECT_EQ(stats->totals[0].sign_ins, 1u);
  EXPECT_EQ(stats->totals[1].tokens_issued(), 6u);
  EXPECT_EQ(stats->totals[2].tokens_issued(), 1u);
  const auto doc = operations::describe_stats(*stats);
  EXPECT_EQ(doc["totals"][1]["tokens_by_grant"]["client_credentials"], 3);
  EXPECT_EQ(doc["by_client"][0]["client_id"], "A");
  EXPECT_TRUE(doc["by_client"][1]["client_id"].is_null());

  auto one = ops.stats(1, kDay2 + 12h);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->totals.size(), 1u);
  EXPECT_EQ(one->totals[0].sign_in_failures, 2u);

  EXPECT_EQ(ops.stats(0, kDay2).error().kind, operations::OperationErrorKind::Invalid);
  EXPECT_EQ(ops.stats(367, kDay2).error().field, "days");
}

class EventOperationsTest : public EventRepositoryTest {};

TEST_F(EventOperationsTest, ListByUsernamePagesWithOpaqueCursors) {
  const auto alice = db().insert_user("alice");
  std::vector<EventRecord> batch;
  for (int i = 0; i < 5; ++i)
    batch.push_back(event("sign_in", kDay1 + std::chrono::seconds(i), alice));
  batch.push_back(event("sign_in", kDay1, kU2));
  insert(batch);
  operations::EventOperations ops(database());
  auto first = ops.list({.user = "ALICE"}, {.limit = 2});
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(first->next_cursor);
  EXPECT_EQ(first->items[0].occurred_at, kDay1 + 4s);
  auto second = ops.list({.user = alice}, {.limit = 2, .cursor = first->next_cursor});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items[0].occurred_at, kDay1 + 2s);
  auto third = ops.list({.user = alice}, {.limit = 2, .cursor = second->next_cursor});
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->items.size(), 1u);
  EXPECT_FALSE(third->next_cursor);

  EXPECT_EQ(ops.list({.user = "bob"}, {}).error().kind, operations::OperationErrorKind::NotFound);
  auto bad_type = ops.list({.type = "signin"}, {});
  EXPECT_EQ(bad_type.error().field, "type");
  EXPECT_NE(bad_type.error().message.find("sign_in, sign_in_failed"), std::string::npos);
  EXPECT_EQ(ops.list({}, {.cursor = std::string("bm9wZQ")}).error().field, "cursor");
  EXPECT_EQ(ops.list({}, {.limit = 0}).error().field, "limit");
  // A deleted user's events stay readable by id.
  EXPECT_EQ(ops.list({.user = kU2}, {})->items.size(), 1u);
}

TEST(EventTimeBounds, Rfc3339AndRelative) {
  const TimePoint now = kDay1 + 12h;
  using operations::parse_time_bound;
  EXPECT_EQ(*parse_time_bound("24h", now, "since"), kDay1 - 12h);
  EXPECT_EQ(*parse_time_bound("7d", now, "since"), now - 7 * 24h);
  EXPECT_EQ(*parse_time_bound("30m", now, "since"), now - 30min);
  EXPECT_EQ(*parse_time_bound("2026-03-10T01:02:03Z", now, "since"), kDay1 + 1h + 2min + 3s);
  EXPECT_EQ(*parse_time_bound("2026-03-10T01:02:03.5+01:00", now, "since"),
            kDay1 + 2min + 3s + 500ms);
  EXPECT_EQ(*parse_time_bound("2026-03-10", now, "until"), kDay1);
  for (const char* bad : {"", "yesterday", "24", "h", "2026-13-01", "2026-03-10T01:02:03", "-5h",
                          "2026-03-10T25:00:00Z"}) {
    auto r = parse_time_bound(bad, now, "since");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "since") << bad;
  }
  EXPECT_EQ(operations::event_time(kDay1 + 1h + 123456us), "2026-03-10T01:00:00.123456Z");
}

}  // namespace
}  // namespace keyward::storage
