// Database: lazy pool, readiness probe, recovery from lost connections (so that
// /health/ready goes back to 200 by itself once PostgreSQL returns).
#include "storage/database.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>

#include "grants/client_storage_failure.h"
#include "storage/client_repository.h"
#include "storage/conninfo.h"
#include "storage/detail/pool.h"
#include "storage/key_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using test::DatabaseTest;
using test::TestDatabase;

// Not a timing goal: a guard that the probe gives up instead of hanging.
constexpr auto kHangGuard = std::chrono::seconds(10);

Database open_database(const std::string& conninfo, DatabaseOptions options = {}) {
  auto database = Database::open(conninfo, options);
  if (!database) throw std::runtime_error(database.error());
  return std::move(database).value();
}

// Ends every other session on the test database, as a server restart or an idle-session
// timeout would.
void terminate_other_sessions(const TestDatabase& db) {
  db.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      " WHERE datname = current_database() AND pid <> pg_backend_pid()");
}

TEST(ConnInfo, ParsesBothFormsAndQuotesForLibpq) {
  auto url = ConnInfo::parse("postgresql://kw:s3cr%27t@db.example:5433/keyward?sslmode=require");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->get("host"), "db.example");
  EXPECT_EQ(url->get("port"), "5433");
  EXPECT_EQ(url->get("password"), "s3cr't");
  EXPECT_EQ(url->to_string(),
            "user='kw' password='s3cr\\'t' dbname='keyward' host='db.example' port='5433' "
            "sslmode='require'");
  EXPECT_EQ(url->redacted(),
            "user='kw' password='***' dbname='keyward' host='db.example' port='5433' "
            "sslmode='require'");

  auto pairs = ConnInfo::parse("host=/run/pg port=54329 dbname=keyward connect_timeout=7");
  ASSERT_TRUE(pairs.ok());
  EXPECT_TRUE(pairs->set_default("connect_timeout", "2"));
  EXPECT_EQ(pairs->get("connect_timeout"), "7");  // the operator's choice wins
  EXPECT_TRUE(pairs->set_default("application_name", "keyward"));
  EXPECT_EQ(pairs->get("application_name"), "keyward");
  EXPECT_FALSE(pairs->set("no_such_option", "1"));
}

// TCP keepalives and tcp_user_timeout (libpq parameters): a peer that vanished behind a
// network partition is noticed within about a minute instead of the kernel's two hours
// (keepalive) or fifteen minutes (retransmission), so no worker hangs on it. The
// operator's own values win.
TEST(ConnInfo, TcpKeepaliveDefaultsLeaveTheOperatorsValues) {
  auto plain = ConnInfo::parse("host=db.example dbname=keyward");
  ASSERT_TRUE(plain.ok());
  set_tcp_keepalive_defaults(*plain);
  EXPECT_EQ(plain->get("keepalives"), "1");
  EXPECT_EQ(plain->get("keepalives_idle"), "30");
  EXPECT_EQ(plain->get("keepalives_interval"), "10");
  EXPECT_EQ(plain->get("keepalives_count"), "3");
  EXPECT_EQ(plain->get("tcp_user_timeout"), "60000");

  auto own = ConnInfo::parse(
      "postgresql://db.example/keyward?keepalives_idle=300&tcp_user_timeout=0&keepalives=0");
  ASSERT_TRUE(own.ok());
  set_tcp_keepalive_defaults(*own);
  EXPECT_EQ(own->get("keepalives"), "0");
  EXPECT_EQ(own->get("keepalives_idle"), "300");
  EXPECT_EQ(own->get("tcp_user_timeout"), "0");
  EXPECT_EQ(own->get("keepalives_interval"), "10");
  EXPECT_EQ(own->get("keepalives_count"), "3");
}

TEST(DatabaseOpen, RejectsMalformedConninfoWithLibpqsReason) {
  auto database = Database::open("host=/tmp bogus_option=1");
  ASSERT_FALSE(database.ok());
  EXPECT_EQ(database.error(),
            "invalid database connection string: invalid connection option \"bogus_option\"");
}

TEST(DatabaseOpen, DoesNotConnect) {
  // Nothing listens there: opening still succeeds, the database may come up later.
  auto database = Database::open("host=127.0.0.1 port=1 dbname=keyward user=keyward");
  ASSERT_TRUE(database.ok()) << database.error();
  EXPECT_EQ(database->describe(), "user='keyward' dbname='keyward' host='127.0.0.1' port='1'");
}

TEST(DatabaseReady, RefusedConnectionGivesAReason) {
  Database database = open_database("host=127.0.0.1 port=1 dbname=keyward user=keyward");
  const auto start = std::chrono::steady_clock::now();
  const auto reason = database.check_ready();
  EXPECT_LT(std::chrono::steady_clock::now() - start, kHangGuard);
  ASSERT_TRUE(reason.has_value());
  EXPECT_TRUE(reason->starts_with("database unreachable: ")) << *reason;
  EXPECT_NE(reason->find("Connection refused"), std::string::npos) << *reason;
}

TEST(DatabaseReady, ServerThatNeverAnswersTimesOut) {
  // A socket that accepts connections (the kernel's backlog does) but never speaks.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);

  Database database =
      open_database("host=127.0.0.1 port=" + std::to_string(port) + " dbname=keyward user=keyward");
  const auto start = std::chrono::steady_clock::now();
  const auto reason = database.check_ready();
  EXPECT_LT(std::chrono::steady_clock::now() - start, kHangGuard);
  close(listener);
  ASSERT_TRUE(reason.has_value());
  EXPECT_TRUE(reason->starts_with("database unreachable: ")) << *reason;
  EXPECT_NE(reason->find("timeout expired"), std::string::npos) << *reason;
}

class DatabaseTests : public DatabaseTest {};

TEST_F(DatabaseTests, ReadyWhenPostgresAnswers) {
  Database database = open_database(db().conninfo());
  EXPECT_EQ(database.check_ready(), std::nullopt);
  EXPECT_EQ(database.check_ready(), std::nullopt);  // on the kept connection
}

TEST_F(DatabaseTests, ReadyAgainAfterItsConnectionWasCut) {
  Database database = open_database(db().conninfo());
  ASSERT_EQ(database.check_ready(), std::nullopt);
  terminate_other_sessions(db());
  // The kept connection is dead; the probe notices, reconnects, and answers ready.
  EXPECT_EQ(database.check_ready(), std::nullopt);
}

TEST_F(DatabaseTests, ConnectsLazilyAndReusesConnections) {
  Database database = open_database(db().conninfo());
  KeyRepository keys(database);
  const auto sessions = [&] {
    return db().scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'keyward'");
  };
  EXPECT_EQ(sessions(), "0");
  ASSERT_TRUE(keys.list().ok());
  ASSERT_TRUE(keys.list().ok());
  EXPECT_EQ(sessions(), "1");
}

// The pooled connection's own socket carries the keepalive settings (read back from the
// kernel), over TCP to the test cluster.
TEST_F(DatabaseTests, PooledTcpConnectionHasKeepalivesAndUserTimeout) {
  const char* password_file = std::getenv("KEYWARD_TEST_PG_PASSWORD_FILE");
  if (password_file == nullptr) GTEST_SKIP() << "KEYWARD_TEST_PG_PASSWORD_FILE is not set";
  std::ifstream in(password_file);
  std::string password;
  std::getline(in, password);
  auto tcp = ConnInfo::parse(db().conninfo());
  ASSERT_TRUE(tcp.ok());
  tcp->set("host", "127.0.0.1");
  tcp->set("password", password);
  Database database = open_database(tcp->to_string());
  auto lease = database.pool().acquire();
  const int fd = lease.connection().sock();
  ASSERT_GE(fd, 0);
  auto option = [&](int level, int name) {
    int value = -1;
    socklen_t length = sizeof value;
    EXPECT_EQ(getsockopt(fd, level, name, &value, &length), 0);
    return value;
  };
  EXPECT_EQ(option(SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(option(IPPROTO_TCP, TCP_KEEPIDLE), 30);
  EXPECT_EQ(option(IPPROTO_TCP, TCP_KEEPINTVL), 10);
  EXPECT_EQ(option(IPPROTO_TCP, TCP_KEEPCNT), 3);
  EXPECT_EQ(option(IPPROTO_TCP, TCP_USER_TIMEOUT), 60000);
}

TEST_F(DatabaseTests, IdempotentReadSurvivesALostConnection) {
  Database database = open_database(db().conninfo());
  KeyRepository keys(database);
  ASSERT_TRUE(keys.list().ok());
  terminate_other_sessions(db());
  // Retried once on a new connection.
  const auto listed = keys.list();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
}

TEST_F(DatabaseTests, WriteOnALostConnectionIsUnavailableThenRecovers) {
  Database database = open_database(db().conninfo());
  KeyRepository keys(database);
  ASSERT_TRUE(keys.list().ok());
  terminate_other_sessions(db());

  KeyRecord key{"kid-1",
                "RS256",
                KeyState::Next,
                R"({"kty":"RSA","n":"AQAB","e":"AQAB"})",
                std::string(40, 'x'),
                TimePoint(std::chrono::seconds(1'750'000'000)),
                TimePoint(std::chrono::seconds(1'750'000'060)),
                std::nullopt,
                std::nullopt};
  // A write is not repeated behind the caller's back: it reports the loss...
  const auto first = keys.insert(key);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, StorageErrorCode::Unavailable) << first.error().message;
  // ...and the broken connection is gone, so the next call works.
  const auto second = keys.insert(key);
  ASSERT_TRUE(second.ok()) << second.error().message;
  // The metrics saw one connection lost and nothing else go wrong.
  const auto stats = database.pool_stats();
  EXPECT_EQ(stats.connections_lost, 1u);
  EXPECT_EQ(stats.connect_failures, 0u);
  EXPECT_EQ(stats.exhausted, 0u);
  EXPECT_EQ(stats.open, 1u);
  EXPECT_EQ(stats.in_use, 0u);
}

// What /metrics reports of the pool: connections lent and open, and exhaustion.
TEST_F(DatabaseTests, PoolStatsCountLentConnectionsAndExhaustion) {
  DatabaseOptions options;
  options.max_connections = 1;
  options.acquire_timeout = std::chrono::milliseconds(50);
  Database database = open_database(db().conninfo(), options);
  EXPECT_EQ(database.pool_stats().open, 0u);
  EXPECT_EQ(database.pool_stats().max, 1u);
  {
    auto lease = database.pool().acquire();
    const auto held = database.pool_stats();
    EXPECT_EQ(held.open, 1u);
    EXPECT_EQ(held.in_use, 1u);
    KeyRepository keys(database);
    const auto listed = keys.list();  // no connection becomes free within 50 ms
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().code, StorageErrorCode::Unavailable);
  }
  const auto after = database.pool_stats();
  EXPECT_EQ(after.exhausted, 1u);
  EXPECT_EQ(after.in_use, 0u);
  EXPECT_EQ(after.open, 1u);
  EXPECT_EQ(after.connections_lost, 0u);
}

// PostgreSQL refuses bytes that are not UTF-8 (SQLSTATE 22021). The edge refuses them
// first; should one still get through, it is the request's fault: invalid_request, never
// the 500 it used to be.
TEST_F(DatabaseTests, ValueThePostgresRefusesIsInvalidInputAndA400) {
  Database database = open_database(db().conninfo());
  ClientRepository clients(database);
  const auto found = clients.find("caf\xE9");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, StorageErrorCode::InvalidInput) << found.error().message;
  const auto as_oauth = grants::storage_failure(found.error(), "client lookup");
  EXPECT_EQ(as_oauth.wire_name(), "invalid_request");
  EXPECT_EQ(as_oauth.http_status(), 400);
  // The connection was not harmed.
  const auto again = clients.find("no-such-client");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->has_value());
}

TEST_F(DatabaseTests, NotifyWithoutListenersSucceeds) {
  Database database = open_database(db().conninfo());
  const auto sent = database.notify("keyward_nobody", "payload");
  EXPECT_TRUE(sent.ok()) << sent.error().message;
}

TEST(DatabaseUnavailable, CallsFailWithUnavailable) {
  Database database = open_database("host=127.0.0.1 port=1 dbname=keyward user=keyward");
  KeyRepository keys(database);
  const auto listed = keys.list();
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, StorageErrorCode::Unavailable);
  EXPECT_NE(listed.error().message.find("Connection refused"), std::string::npos)
      << listed.error().message;
  const auto sent = database.notify("keyward_keys", "x");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, StorageErrorCode::Unavailable);
  // Counted as failures to connect, not as connections lost (none was ever open).
  const auto stats = database.pool_stats();
  EXPECT_GE(stats.connect_failures, 1u);
  EXPECT_EQ(stats.connections_lost, 0u);
  EXPECT_EQ(stats.open, 0u);
}

}  // namespace
}  // namespace keyward::storage
