// The sample resource server's own data (resource_server/sample/note_store.*) against a real
// PostgreSQL: its schema is migrated with Keyward's runner, notes and the board round-trip,
// and the connection pool serves many threads at once without two of them ever sharing a
// connection (a connection handed back while its transaction was still open gave
// "nontransaction still active" errors and a crash under load).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "resource_server/sample/note_store.h"
#include "tests/integration/support/test_database.h"

namespace keyward::rs {
namespace {

using test::DatabaseTest;

class NoteStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    auto applied = migrate_sample_schema(db().conninfo(), KEYWARD_RS_DEFAULT_MIGRATIONS_DIR);
    ASSERT_TRUE(applied.ok()) << applied.error();
    ASSERT_FALSE(applied->empty());
    auto store = NoteStore::open(db().conninfo(), 2);
    ASSERT_TRUE(store.ok()) << store.error();
    store_ = std::move(store).value();
  }

  std::unique_ptr<NoteStore> store_;
};

TEST_F(NoteStoreTest, MigratesOnceThenNothingToApply) {
  auto again = migrate_sample_schema(db().conninfo(), KEYWARD_RS_DEFAULT_MIGRATIONS_DIR);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(store_->check_ready(), std::nullopt);
}

TEST_F(NoteStoreTest, NotesAreKeptPerUserAndReplaced) {
  auto none = store_->note("alice");
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(store_->set_note("alice", "first").ok());
  ASSERT_TRUE(store_->set_note("alice", "second <b>'\"").ok());
  ASSERT_TRUE(store_->set_note("bob", "bob's").ok());
  auto alice = store_->note("alice");
  ASSERT_TRUE(alice.ok() && alice->has_value());
  EXPECT_EQ((*alice)->text, "second <b>'\"");
  EXPECT_EQ((*alice)->updated_at.size(), 20u) << (*alice)->updated_at;  // 2026-01-01T00:00:00Z
  EXPECT_EQ((*store_->note("bob"))->text, "bob's");
}

TEST_F(NoteStoreTest, BoardIsOneSharedMessage) {
  auto written = store_->set_board("alice", "hello");
  ASSERT_TRUE(written.ok()) << written.error();
  auto board = store_->board();
  ASSERT_TRUE(board.ok()) << board.error();
  EXPECT_EQ(board->message, "hello");
  EXPECT_EQ(board->updated_by, "alice");
}

// More threads than connections, each alternating reads and writes of its own note: every
// call must succeed and read back what that thread wrote.
TEST_F(NoteStoreTest, ManyThreadsShareTwoConnectionsWithoutInterfering) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 400;
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  auto fail = [&](const std::string& why) {
    if (failures.fetch_add(1) == 0) {
      std::lock_guard lock(failure_mutex);
      first_failure = why;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string sub = "user-" + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        const std::string text = sub + " round " + std::to_string(i);
        if (auto w = store_->set_note(sub, text); !w.ok()) {
          fail(w.error());
          continue;
        }
        auto r = store_->note(sub);
        if (!r.ok()) {
          fail(r.error());
        } else if (!r->has_value() || (*r)->text != text) {
          fail("read back something else than " + text);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << "first failure: " << first_failure;
}

}  // namespace
}  // namespace keyward::rs
