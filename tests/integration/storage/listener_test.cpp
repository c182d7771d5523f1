// Listener: LISTEN/NOTIFY between instances (the key manager tells every instance that signing
// keys changed this way), including recovery after the connection is cut.
#include "storage/listener.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "storage/database.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using test::DatabaseTest;

// Not timing goals: bounds after which a missing event counts as never arriving.
constexpr auto kPatience = std::chrono::seconds(15);

struct Inbox {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::pair<std::string, std::string>> notes;
  int connections = 0;

  Listener::NotifyCallback on_notify() {
    return [this](const std::string& channel, const std::string& payload) {
      std::lock_guard lock(mutex);
      notes.emplace_back(channel, payload);
      arrived.notify_all();
    };
  }
  Listener::ConnectedCallback on_connected() {
    return [this] {
      std::lock_guard lock(mutex);
      ++connections;
      arrived.notify_all();
    };
  }
  bool wait_for_notes(std::size_t count) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, kPatience, [&] { return notes.size() >= count; });
  }
  bool wait_for_connections(int count) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, kPatience, [&] { return connections >= count; });
  }
};

class ListenerTest : public DatabaseTest {
 protected:
  Database open() { return db().open(); }
};

TEST_F(ListenerTest, ReceivesNotificationsOnItsChannelsOnly) {
  Inbox inbox;
  auto listener = Listener::start(db().conninfo(), {"keyward_keys", "keyward_clients"},
                                  inbox.on_notify(), inbox.on_connected());
  ASSERT_TRUE(listener.ok()) << listener.error();
  ASSERT_TRUE(listener.value()->wait_until_listening(kPatience));
  EXPECT_TRUE(listener.value()->listening());

  Database database = open();
  ASSERT_TRUE(database.notify("keyward_other", "ignored").ok());
  ASSERT_TRUE(database.notify("keyward_keys", "rotated kid-2").ok());
  ASSERT_TRUE(database.notify("keyward_clients", "").ok());
  ASSERT_TRUE(inbox.wait_for_notes(2));

  std::lock_guard lock(inbox.mutex);
  // One session's notifications arrive in the order sent, so the ignored one would be
  // first if it had been delivered.
  ASSERT_EQ(inbox.notes.size(), 2u);
  EXPECT_EQ(inbox.notes[0],
            std::make_pair(std::string("keyward_keys"), std::string("rotated kid-2")));
  EXPECT_EQ(inbox.notes[1], std::make_pair(std::string("keyward_clients"), std::string()));
  EXPECT_EQ(inbox.connections, 1);
}

TEST_F(ListenerTest, ChannelNamesAreQuotedNotFolded) {
  Inbox inbox;
  auto listener = Listener::start(db().conninfo(), {"Keys-Changed"}, inbox.on_notify());
  ASSERT_TRUE(listener.ok()) << listener.error();
  ASSERT_TRUE(listener.value()->wait_until_listening(kPatience));
  Database database = open();
  ASSERT_TRUE(database.notify("Keys-Changed", "x").ok());
  ASSERT_TRUE(inbox.wait_for_notes(1));
  std::lock_guard lock(inbox.mutex);
  EXPECT_EQ(inbox.notes[0].first, "Keys-Changed");
}

TEST_F(ListenerTest, ReconnectsAfterItsConnectionIsCutAndSaysSo) {
  Inbox inbox;
  auto listener =
      Listener::start(db().conninfo(), {"keyward_keys"}, inbox.on_notify(), inbox.on_connected());
  ASSERT_TRUE(listener.ok()) << listener.error();
  ASSERT_TRUE(inbox.wait_for_connections(1));

  db().exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      " WHERE datname = current_database() AND application_name = 'keyward-listener'");
  // on_connected runs again: the owner re-reads whatever it may have missed.
  ASSERT_TRUE(inbox.wait_for_connections(2));
  ASSERT_TRUE(listener.value()->wait_until_listening(kPatience));

  Database database = open();
  ASSERT_TRUE(database.notify("keyward_keys", "after reconnect").ok());
  ASSERT_TRUE(inbox.wait_for_notes(1));
  std::lock_guard lock(inbox.mutex);
  EXPECT_EQ(inbox.notes.back().second, "after reconnect");
}

TEST_F(ListenerTest, AThrowingCallbackDoesNotStopTheListener) {
  std::mutex mutex;
  std::condition_variable arrived;
  int calls = 0;
  auto listener = Listener::start(db().conninfo(), {"keyward_keys"},
                                  [&](const std::string&, const std::string&) {
                                    {
                                      std::lock_guard lock(mutex);
                                      ++calls;
                                    }
                                    arrived.notify_all();
                                    throw std::runtime_error("callback failed");
                                  });
  ASSERT_TRUE(listener.ok()) << listener.error();
  ASSERT_TRUE(listener.value()->wait_until_listening(kPatience));
  Database database = open();
  ASSERT_TRUE(database.notify("keyward_keys", "1").ok());
  ASSERT_TRUE(database.notify("keyward_keys", "2").ok());
  std::unique_lock lock(mutex);
  EXPECT_TRUE(arrived.wait_for(lock, kPatience, [&] { return calls == 2; }));
}

TEST_F(ListenerTest, StopReturnsAndListeningEnds) {
  auto listener = Listener::start(db().conninfo(), {"keyward_keys"},
                                  [](const std::string&, const std::string&) {});
  ASSERT_TRUE(listener.ok()) << listener.error();
  ASSERT_TRUE(listener.value()->wait_until_listening(kPatience));
  listener.value()->stop();
  EXPECT_FALSE(listener.value()->listening());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name = 'keyward-listener'"),
            "0");
}

TEST(ListenerStart, RefusesBadArguments) {
  const auto nothing = [](const std::string&, const std::string&) {};
  auto none = Listener::start("host=/tmp", {}, nothing);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "listener: no channel to listen on");

  auto empty = Listener::start("host=/tmp", {""}, nothing);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error(), "listener: channel name must be 1 to 63 bytes: \"\"");

  auto too_long = Listener::start("host=/tmp", {std::string(64, 'k')}, nothing);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error(),
            "listener: channel name must be 1 to 63 bytes: \"" + std::string(64, 'k') + "\"");

  auto bad_conninfo = Listener::start("host=/tmp hots=1", {"keyward_keys"}, nothing);
  ASSERT_FALSE(bad_conninfo.ok());
  EXPECT_EQ(bad_conninfo.error(),
            "invalid database connection string: invalid connection option \"hots\"");
}

TEST(ListenerStart, KeepsTryingWhileTheDatabaseIsDown) {
  auto listener = Listener::start("host=127.0.0.1 port=1 dbname=keyward user=keyward",
                                  {"keyward_keys"}, [](const std::string&, const std::string&) {});
  ASSERT_TRUE(listener.ok()) << listener.error();
  EXPECT_FALSE(listener.value()->wait_until_listening(std::chrono::milliseconds(300)));
  listener.value()->stop();  // and stopping does not hang while it retries
}

}  // namespace
}  // namespace keyward::storage
