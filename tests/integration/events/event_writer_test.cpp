// AsyncEventWriter against a real PostgreSQL: batches land, stop() flushes, a full queue
// drops and counts, and a database that goes away and comes back neither crashes the
// writer nor loses what is recorded after it is back.
#include "audit/event_writer.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <thread>

#include "tests/integration/support/test_database.h"

namespace keyward::audit {
namespace {

using namespace std::chrono_literals;
using test::StorageTest;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'780'000'000)) + 250ms;

Event sign_in(std::string user = "11111111-1111-4111-8111-111111111111") {
  Event e;
  e.type = EventType::SignIn;
  e.user_id = std::move(user);
  e.client_id = "app";
  e.address = "198.51.100.4";
  e.request_id = "r1";
  e.detail = {{"method", "password"}};
  return e;
}

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds patience = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

class EventWriterTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    repository_.emplace(database());
  }
  std::unique_ptr<AsyncEventWriter> writer(EventWriterOptions options) {
    return std::make_unique<AsyncEventWriter>(*repository_, clock_, logger_, options);
  }
  std::string stored() { return db().scalar("SELECT count(*) FROM events").value_or("?"); }

  FixedClock clock_{kT0};
  Logger logger_{LogLevel::Error, stderr};
  std::optional<storage::EventRepository> repository_;
};

TEST_F(EventWriterTest, EventsLandInBatchesWithTheirFields) {
  EventWriterOptions options;
  options.batch_size = 100;
  auto w = writer(options);
  Event stamped = sign_in();
  stamped.at = kT0 - 1h;
  stamped.type = EventType::TokenIssued;
  w->record(stamped);
  for (int i = 0; i < 1199; ++i) w->record(sign_in());
  ASSERT_TRUE(eventually([&] { return w->stats().written == 1200; }))
      << "written " << w->stats().written;
  EXPECT_EQ(stored(), "1200");
  EXPECT_EQ(w->stats().queue_depth, 0u);
  EXPECT_EQ(w->stats().dropped(), 0u);
  // `at` comes from the clock when left at the epoch, and is kept when set.
  EXPECT_EQ(
      db().scalar("SELECT count(*) FROM events WHERE occurred_at = to_timestamp(1780000000.25)"),
      "1199");
  EXPECT_EQ(db().scalar("SELECT type FROM events WHERE occurred_at < to_timestamp(1780000000)"),
            "token_issued");
  EXPECT_EQ(db().scalar("SELECT detail->>'method' FROM events LIMIT 1"), "password");
  EXPECT_EQ(db().scalar("SELECT address FROM events LIMIT 1"), "198.51.100.4");
}

TEST_F(EventWriterTest, ALoneEventWaitsNoLongerThanTheDelay) {
  EventWriterOptions options;
  options.max_delay = 200ms;
  auto w = writer(options);
  const auto start = std::chrono::steady_clock::now();
  w->record(sign_in());
  ASSERT_TRUE(eventually([&] { return w->stats().written == 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(stored(), "1");
}

TEST_F(EventWriterTest, StopFlushesWhatIsQueued) {
  EventWriterOptions options;
  options.max_delay = 60s;  // nothing would be written before stop() without the flush
  auto w = writer(options);
  for (int i = 0; i < 3; ++i) w->record(sign_in());
  EXPECT_EQ(stored(), "0");
  w->stop();
  EXPECT_EQ(stored(), "3");
  EXPECT_EQ(w->stats().written, 3u);
  // After stop, nothing is queued any more: counted as dropped.
  w->record(sign_in());
  EXPECT_EQ(w->stats().dropped_queue_full, 1u);
  w->stop();  // idempotent
  EXPECT_EQ(stored(), "3");
}

TEST_F(EventWriterTest, AFullQueueDropsAndCounts) {
  EventWriterOptions options;
  options.capacity = 5;
  options.max_delay = 60s;
  auto w = writer(options);
  for (int i = 0; i < 8; ++i) w->record(sign_in());
  auto stats = w->stats();
  EXPECT_EQ(stats.queue_depth, 5u);
  EXPECT_EQ(stats.dropped_queue_full, 3u);
  EXPECT_EQ(stats.dropped(), 3u);
  w->stop();
  EXPECT_EQ(stored(), "5");
  EXPECT_EQ(w->stats().written, 5u);
}

// The database refuses connections for a while (ALLOW_CONNECTIONS false, and every
// connection of ours cut), then takes them again. Run from the cluster's own database:
// PostgreSQL will not disallow connections to the database the command runs in.
class Outage {
 public:
  explicit Outage(const test::TestDatabase& db)
      : db_name_(db.name()), admin_(*test::TestDatabase::cluster_conninfo()) {}
  void begin() {
    pqxx::nontransaction tx(admin_);
    tx.exec("ALTER DATABASE " + tx.quote_name(db_name_) + " ALLOW_CONNECTIONS false");
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
            tx.quote(db_name_) + " AND pid <> pg_backend_pid()");
  }
  void end() {
    pqxx::nontransaction tx(admin_);
    tx.exec("ALTER DATABASE " + tx.quote_name(db_name_) + " ALLOW_CONNECTIONS true");
  }

 private:
  std::string db_name_;
  pqxx::connection admin_;
};

TEST_F(EventWriterTest, DatabaseDownThenUpNoCrashLaterEventsLand) {
  EventWriterOptions options;
  options.max_delay = 10ms;
  options.attempts = 2;
  options.first_backoff = 20ms;
  auto w = writer(options);
  w->record(sign_in());
  ASSERT_TRUE(eventually([&] { return w->stats().written == 1; }));

  Outage outage(db());
  outage.begin();
  Event lost = sign_in();
  lost.type = EventType::Logout;
  w->record(lost);
  // Two attempts fail, the batch is dropped and counted; the writer carries on.
  ASSERT_TRUE(eventually([&] { return w->stats().dropped_write_failed == 1; }))
      << "failures " << w->stats().write_failures;
  EXPECT_GE(w->stats().write_failures, 2u);
  outage.end();

  for (int i = 0; i < 4; ++i) w->record(sign_in());
  ASSERT_TRUE(eventually([&] { return w->stats().written == 5; }));
  EXPECT_EQ(stored(), "5");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM events WHERE type = 'logout'"), "0");
}

TEST_F(EventWriterTest, ABatchRetriedAcrossAShortOutageLands) {
  EventWriterOptions options;
  options.max_delay = 10ms;
  options.attempts = 6;
  options.first_backoff = 50ms;  // 50, 200, 800, 3200 ms: room for the outage to end
  auto w = writer(options);
  Outage outage(db());
  outage.begin();
  w->record(sign_in());
  ASSERT_TRUE(eventually([&] { return w->stats().write_failures >= 1; }));
  outage.end();
  ASSERT_TRUE(eventually([&] { return w->stats().written == 1; }, 15s));
  EXPECT_EQ(w->stats().dropped(), 0u);
  EXPECT_EQ(stored(), "1");
}

TEST_F(EventWriterTest, StopGivesUpWithinItsBudgetWhenTheDatabaseIsGone) {
  EventWriterOptions options;
  options.max_delay = 60s;
  options.attempts = 100;
  options.first_backoff = 100ms;
  options.stop_timeout = 500ms;
  auto w = writer(options);
  Outage outage(db());
  outage.begin();
  for (int i = 0; i < 3; ++i) w->record(sign_in());
  const auto start = std::chrono::steady_clock::now();
  w->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(w->stats().dropped_write_failed, 3u);
  EXPECT_EQ(w->stats().written, 0u);
  outage.end();
}

TEST(EventRecordOf, DetailIsJsonTextAndTypeItsName) {
  Event e;
  e.type = EventType::FederatedIdentityLinked;
  e.detail = {{"provider", "google"}, {"bad", std::string("\xff")}};
  const auto r = to_record(e);
  EXPECT_EQ(r.type, "federated_identity_linked");
  EXPECT_EQ(nlohmann::json::parse(r.detail_json)["provider"], "google");
  e.detail = nlohmann::json::array();
  EXPECT_EQ(to_record(e).detail_json, "{}");
}

}  // namespace
}  // namespace keyward::audit
