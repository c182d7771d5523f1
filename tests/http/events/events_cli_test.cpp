// `keyward events` and `keyward stats` over the real binary, on a database of the test's
// own seeded with known events: every filter, the table and --json, paging past the
// operations' page size, and every bad input refused with a message that says why.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/http/support/cli_run.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr const char* kU1 = "11111111-1111-4111-8111-111111111111";
constexpr const char* kU2 = "22222222-2222-4222-8222-222222222222";

// A UTC day relative to today, at an hour: SQL for a timestamptz.
std::string day_at(int days_ago, int hour) {
  return "(date_trunc('day', now() AT TIME ZONE 'UTC') - interval '" + std::to_string(days_ago) +
         " days' + interval '" + std::to_string(hour) + " hours') AT TIME ZONE 'UTC'";
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

class EventsCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    alice_ = db().insert_user("alice");
    const auto insert = [&](const std::string& at, const std::string& type, const std::string& user,
                            const std::string& client, const std::string& detail = "{}") {
      db().exec(
          "INSERT INTO events (occurred_at, type, user_id, client_id, address, detail) VALUES (" +
          at + ", '" + type + "', " + (user.empty() ? "NULL" : "'" + user + "'") + ", " +
          (client.empty() ? "NULL" : "'" + client + "'") + ", '192.0.2.1', '" + detail + "')");
    };
    const auto token = [&](const std::string& at, const std::string& client,
                           const std::string& grant, const std::string& user = "") {
      insert(at, "token_issued", user, client, R"({"grant": ")" + grant + R"("})");
    };
    // Yesterday.
    token(day_at(1, 1), "web", "authorization_code", alice_);
    token(day_at(1, 2), "web", "authorization_code", kU1);
    token(day_at(1, 3), "web", "refresh_token", alice_);
    token(day_at(1, 4), "svc", "client_credentials");
    token(day_at(1, 5), "svc", "client_credentials");
    token(day_at(1, 6), "svc", "client_credentials");
    insert(day_at(1, 7), "sign_in", alice_, "web", R"({"method": "password"})");
    insert(day_at(1, 8), "sign_in", kU1, "web");
    insert(day_at(1, 9), "sign_in_failed", "", "web", R"({"reason": "bad_credentials"})");
    insert(day_at(1, 10), "sign_in_throttled", "", "web");
    insert(day_at(1, 11), "sign_in", kU2, "");
    // Five days ago: outside --days 3.
    token(day_at(5, 1), "web", "authorization_code", alice_);
    // Within the last hour.
    insert("now() - interval '10 minutes'", "logout", alice_, "web");
  }
  Env env() { return {{"KEYWARD_DATABASE_URL", db().conninfo()}}; }
  CliRun run(const std::vector<std::string>& args) { return run_cli(args, env()); }
  void expect_refused(const std::vector<std::string>& args, const std::string& message) {
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  std::vector<std::string> types(const std::vector<std::string>& args) {
    auto all = args;
    all.insert(all.begin(), "events");
    all.push_back("--json");
    const auto r = run(all);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    for (const auto& e : r.json_out()) out.push_back(e.at("type"));
    return out;
  }

  std::string alice_;
};

TEST_F(EventsCli, JsonListsNewestFirstWithEveryField) {
  const auto r = run({"events", "--json", "--limit", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = r.json_out();
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["type"], "logout");
  EXPECT_EQ(doc[0]["user_id"], alice_);
  EXPECT_EQ(doc[0]["client_id"], "web");
  EXPECT_EQ(doc[0]["address"], "192.0.2.1");
  EXPECT_TRUE(doc[0]["actor"].is_null());
  EXPECT_TRUE(doc[0]["request_id"].is_null());
  EXPECT_EQ(doc[0]["detail"], json::object());
  EXPECT_TRUE(doc[0]["id"].is_number_integer());
  const std::string at = doc[0]["occurred_at"];
  EXPECT_EQ(at.size(), 27u) << at;  // 2026-12-07T06:20:01.123456Z
  EXPECT_EQ(at.back(), 'Z');
  EXPECT_EQ(doc[1]["type"], "sign_in");
  EXPECT_EQ(doc[1]["user_id"], kU2);
  EXPECT_TRUE(doc[1]["client_id"].is_null());
}

TEST_F(EventsCli, EveryFilter) {
  EXPECT_EQ(types({"--user", "alice"}),
            (std::vector<std::string>{"logout", "sign_in", "token_issued", "token_issued",
                                      "token_issued"}));
  EXPECT_EQ(types({"--user", alice_}).size(), 5u);
  EXPECT_EQ(types({"--user", kU1}), (std::vector<std::string>{"sign_in", "token_issued"}));
  EXPECT_EQ(types({"--client", "svc"}).size(), 3u);
  EXPECT_EQ(types({"--type", "sign_in_failed"}), (std::vector<std::string>{"sign_in_failed"}));
  EXPECT_EQ(types({"--since", "1h"}), (std::vector<std::string>{"logout"}));
  EXPECT_EQ(types({"--until", "3d"}), (std::vector<std::string>{"token_issued"}));
  EXPECT_EQ(types({"--client", "web", "--type", "token_issued", "--since", "4d"}).size(), 3u);
  EXPECT_TRUE(types({"--client", "nobody"}).empty());
  // RFC 3339 bounds: everything since 2000, nothing until 2000.
  EXPECT_EQ(types({"--since", "2000-01-01T00:00:00Z"}).size(), 13u);
  EXPECT_TRUE(types({"--until", "2000-01-01"}).empty());
}

TEST_F(EventsCli, LimitPagesPastTheOperationsPageSize) {
  db().exec(
      "INSERT INTO events (occurred_at, type, client_id) SELECT now() - n * interval '1 second',"
      " 'client_auth_failed', 'bulk' FROM generate_series(1, 450) AS n");
  const auto all = types({"--client", "bulk", "--limit", "1000"});
  EXPECT_EQ(all.size(), 450u);
  EXPECT_EQ(types({"--client", "bulk", "--limit", "201"}).size(), 201u);
  // Default: 50.
  const auto r = run({"events", "--client", "bulk"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 51u);  // a header and 50 events
}

TEST_F(EventsCli, TableHasAHeaderAndOneLinePerEvent) {
  const auto r = run({"events", "--type", "sign_in_failed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto l = lines(r.out);
  ASSERT_EQ(l.size(), 2u) << r.out;
  EXPECT_EQ(l[0], "time\ttype\tuser\tclient\taddress\tactor\tdetail");
  EXPECT_NE(l[1].find("\tsign_in_failed\t-\tweb\t192.0.2.1\t-\t{\"reason\": \"bad_credentials\"}"),
            std::string::npos)
      << l[1];
}

TEST_F(EventsCli, BadInputIsRefusedWithAReason) {
  expect_refused({"events", "--type", "signin"},
                 "keyward events: --type: unknown event type 'signin'; the types are: sign_in,");
  expect_refused({"events", "--since", "yesterday"},
                 "keyward events: --since must be an RFC 3339 time");
  expect_refused({"events", "--until", "2026-13-01"}, "keyward events: --until must be");
  // Far-off bounds would overflow the nanosecond clock: refused, not wrapped.
  expect_refused({"events", "--until", "2300-01-01"},
                 "keyward events: --until must be a time between the years 1970 and 2200");
  expect_refused({"events", "--since", "1900-01-01T00:00:00Z"},
                 "keyward events: --since must be a time between the years 1970 and 2200");
  expect_refused({"events", "--since", "99999999999d"},
                 "keyward events: --since must be a duration of at most 36500 days");
  expect_refused({"events", "--limit", "0"}, "keyward events: --limit must be 1 to 10000");
  expect_refused({"events", "--limit", "x"}, "keyward events: --limit must be 1 to 10000");
  expect_refused({"events", "--colour"}, "keyward events: ");
  expect_refused({"events", "extra"}, "keyward events: unexpected argument 'extra'");
  const auto r = run({"events", "--user", "bob"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "keyward events: no user 'bob'\n");
}

TEST_F(EventsCli, StatsJsonHasTheWorkloadsFigures) {
  const auto r = run({"stats", "--days", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = r.json_out();
  EXPECT_EQ(doc["days"], 3);
  ASSERT_EQ(doc["totals"].size(), 3u);
  const json& yesterday = doc["totals"][1];
  EXPECT_EQ(yesterday["tokens_issued"], 6);
  EXPECT_EQ(yesterday["tokens_by_grant"],
            (json{{"authorization_code", 2}, {"client_credentials", 3}, {"refresh_token", 1}}));
  EXPECT_EQ(yesterday["sign_ins"], 3);
  EXPECT_EQ(yesterday["sign_in_failures"], 2);
  EXPECT_EQ(yesterday["active_users"], 3);  // alice, U1, U2
  EXPECT_EQ(doc["totals"][0]["tokens_issued"], 0);
  EXPECT_EQ(doc["totals"][2]["sign_ins"], 0);  // today: a logout only
  EXPECT_EQ(doc["to"], doc["totals"][2]["day"]);
  ASSERT_EQ(doc["by_client"].size(), 3u);
  // By client id, "" (no client) first.
  EXPECT_TRUE(doc["by_client"][0]["client_id"].is_null());
  EXPECT_EQ(doc["by_client"][0]["sign_ins"], 1);
  EXPECT_EQ(doc["by_client"][1]["client_id"], "svc");
  EXPECT_EQ(doc["by_client"][1]["tokens_by_grant"], (json{{"client_credentials", 3}}));
  EXPECT_EQ(doc["by_client"][1]["active_users"], 0);
  EXPECT_EQ(doc["by_client"][2]["client_id"], "web");
  EXPECT_EQ(doc["by_client"][2]["tokens_issued"], 3);
  EXPECT_EQ(doc["by_client"][2]["sign_ins"], 2);
  EXPECT_EQ(doc["by_client"][2]["sign_in_failures"], 2);
  EXPECT_EQ(doc["by_client"][2]["active_users"], 2);  // alice, U1

  const auto week = run({"stats", "--json"});
  ASSERT_EQ(week.exit_code, 0) << week.err;
  EXPECT_EQ(week.json_out()["days"], 7);
  EXPECT_EQ(week.json_out()["totals"][1]["tokens_issued"], 1);  // five days ago
}

TEST_F(EventsCli, StatsTableShowsEachDayThenItsClients) {
  const auto r = run({"stats", "--days", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto l = lines(r.out);
  ASSERT_EQ(l.size(), 7u) << r.out;
  EXPECT_EQ(l[0].rfind("audit statistics, ", 0), 0u) << l[0];
  EXPECT_EQ(words(l[1]), (std::vector<std::string>{"day", "client", "tokens", "sign-ins",
                                                   "failures", "active", "tokens", "by", "grant"}));
  auto day = words(l[2]);
  ASSERT_EQ(day.size(), 9u) << l[2];
  EXPECT_EQ(std::vector<std::string>(day.begin() + 1, day.end()),
            (std::vector<std::string>{"(all)", "6", "3", "2", "3", "authorization_code=2",
                                      "client_credentials=3", "refresh_token=1"}));
  EXPECT_EQ(words(l[3]), (std::vector<std::string>{"(none)", "0", "1", "0", "1", "-"}));
  EXPECT_EQ(words(l[4]),
            (std::vector<std::string>{"svc", "3", "0", "0", "0", "client_credentials=3"}));
  EXPECT_EQ(words(l[5]), (std::vector<std::string>{"web", "3", "2", "2", "2",
                                                   "authorization_code=2", "refresh_token=1"}));
  auto today = words(l[6]);
  EXPECT_EQ(std::vector<std::string>(today.begin() + 1, today.end()),
            (std::vector<std::string>{"(all)", "0", "0", "0", "0", "-"}));
}

TEST_F(EventsCli, StatsRefusesBadDays) {
  expect_refused({"stats", "--days", "0"}, "keyward stats: --days must be 1 to 366\n");
  expect_refused({"stats", "--days", "367"}, "keyward stats: --days must be 1 to 366\n");
  expect_refused({"stats", "extra"}, "keyward stats: unexpected argument 'extra'");
}

}  // namespace
}  // namespace keyward::test
