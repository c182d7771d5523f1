// The admin API (/admin/v1/, docs/admin-api.md) over loopback against a real `keyward
// serve`: every route with a good token, and the refusals: no token 401, a token for
// another audience or a user's 401, the wrong scope 403, bad input 400/415, unknown ids
// 404, conflicts 409; paging across pages and the filters; the change log naming the
// acting client; the CLI and the API giving the same answers.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "http/form.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/http/support/suite_server.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMasterKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const std::string kIssuer = "http://127.0.0.1:9";
const std::string kAdminAudience = kIssuer + "/admin";

class AdminApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    suite_ = new SuiteServer({{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
                              {"KEYWARD_ISSUER", kIssuer},
                              {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
                              {"KEYWARD_ARGON2_ITERATIONS", "5"},
                              {"KEYWARD_DCR", "token"}});
    const auto admin_client = [](const std::string& key, const std::string& scopes,
                                 const std::string& audience) {
      suite_->register_client(
          key, key,
          {"--grant-types", "client_credentials", "--scopes", scopes, "--audience", audience});
    };
    admin_client("admin", "keyward:admin", kAdminAudience);
    admin_client("clients-admin", "keyward:admin:clients", kAdminAudience);
    admin_client("users-admin", "keyward:admin:users", kAdminAudience);
    admin_client("keys-admin", "keyward:admin:keys", kAdminAudience);
    admin_client("events-admin", "keyward:admin:events", kAdminAudience);
    admin_client("plain", "read", kAdminAudience);
    admin_client("elsewhere", "keyward:admin", "https://api.example");
    suite_->start();
    tokens_ = new std::map<std::string, std::string>();
    for (const std::string key : {"admin", "clients-admin", "users-admin", "keys-admin",
                                  "events-admin", "plain", "elsewhere"}) {
      (*tokens_)[key] = fetch_token(suite_->client(key));
    }
  }
  static void TearDownTestSuite() {
    // The server's own account of a failure (a crash shows here, not in the test).
    if (suite_ != nullptr && ::testing::UnitTest::GetInstance()->failed_test_count() > 0) {
      const auto output = suite_->process().output();
      std::cerr << "--- keyward serve output (last 4000 bytes) ---\n"
                << output.substr(output.size() > 4000 ? output.size() - 4000 : 0) << "\n";
    }
    delete suite_;
    delete tokens_;
    suite_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
  }

  static std::string fetch_token(const RegisteredClient& client) {
    const auto r =
        post(suite_->port(), "/token", "grant_type=client_credentials",
             "application/x-www-form-urlencoded", basic_authorization(client.id, client.secret));
    if (r.status != 200) throw std::runtime_error("token: " + r.body);
    return r.json()["access_token"];
  }

  static uint16_t port() { return suite_->port(); }
  static const std::string& token(const std::string& key) { return tokens_->at(key); }

  // Any method, with the admin token `as` (none when empty) and a JSON body when given.
  static Response call(std::string_view method, const std::string& target,
                       const std::string& as = "admin", const std::optional<std::string>& body = {},
                       std::string_view content_type = "application/json") {
    std::string raw = std::string(method) + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!as.empty()) raw += "Authorization: Bearer " + token(as) + "\r\n";
    if (body) {
      raw += "Content-Type: " + std::string(content_type) + "\r\n";
      raw += "Content-Length: " + std::to_string(body->size()) + "\r\n";
    } else if (method == "POST" || method == "PATCH" || method == "PUT") {
      raw += "Content-Length: 0\r\n";
    }
    raw += "\r\n";
    if (body) raw += *body;
    Connection c(port());
    return c.request(raw);
  }

  static void expect_problem(const Response& r, int status, const std::string& slug) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << r.body;
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    const auto doc = r.json();
    EXPECT_EQ(doc["type"], "urn:keyward:problem:" + slug) << r.body;
    EXPECT_EQ(doc["status"], status);
    EXPECT_TRUE(doc["title"].is_string());
    EXPECT_TRUE(doc["detail"].is_string());
  }

  static json created_client(const json& body) {
    const auto r = call("POST", "/admin/v1/clients", "admin", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  static json created_user(const std::string& username, const std::string& email = "") {
    json body{{"username", username}, {"password", "correct horse battery"}};
    if (!email.empty()) body["email"] = email;
    const auto r = call("POST", "/admin/v1/users", "admin", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  static inline SuiteServer* suite_ = nullptr;
  static inline std::map<std::string, std::string>* tokens_ = nullptr;
};

struct RouteCase {
  std::string method;
  std::string target;
  std::string part;  // which scope: clients, users, keys, status
};

// One concrete request per route (the ids need not exist: the refusals come first).
const std::vector<RouteCase> kRoutes = {
    {"GET", "/admin/v1/clients", "clients"},
    {"POST", "/admin/v1/clients", "clients"},
    {"GET", "/admin/v1/clients/x", "clients"},
    {"PATCH", "/admin/v1/clients/x", "clients"},
    {"DELETE", "/admin/v1/clients/x", "clients"},
    {"POST", "/admin/v1/clients/x/secret", "clients"},
    {"GET", "/admin/v1/users", "users"},
    {"POST", "/admin/v1/users", "users"},
    {"GET", "/admin/v1/users/x", "users"},
    {"PATCH", "/admin/v1/users/x", "users"},
    {"DELETE", "/admin/v1/users/x", "users"},
    {"POST", "/admin/v1/users/x/disable", "users"},
    {"POST", "/admin/v1/users/x/enable", "users"},
    {"POST", "/admin/v1/users/x/password", "users"},
    {"POST", "/admin/v1/users/x/verify-email", "users"},
    {"POST", "/admin/v1/users/x/revoke", "users"},
    {"GET", "/admin/v1/users/x/sessions", "users"},
    {"DELETE", "/admin/v1/users/x/sessions", "users"},
    {"GET", "/admin/v1/users/x/consents", "users"},
    {"DELETE", "/admin/v1/users/x/consents/y", "users"},
    {"GET", "/admin/v1/registration-tokens", "clients"},
    {"POST", "/admin/v1/registration-tokens", "clients"},
    {"DELETE", "/admin/v1/registration-tokens/x", "clients"},
    {"GET", "/admin/v1/keys", "keys"},
    {"POST", "/admin/v1/keys/rotate", "keys"},
    {"GET", "/admin/v1/events", "events"},
    {"GET", "/admin/v1/stats", "events"},
    {"GET", "/admin/v1/status", "status"},
};

TEST_F(AdminApi, EveryRouteRefusesARequestWithoutAToken) {
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.target);
    const auto r = call(route.method, route.target, "");
    expect_problem(r, 401, "unauthorized");
    EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"keyward-admin\"");
  }
}

TEST_F(AdminApi, EveryRouteRefusesAnotherAudienceAndGarbage) {
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.target);
    auto r = call(route.method, route.target, "elsewhere");
    expect_problem(r, 401, "invalid-token");
    EXPECT_EQ(r.header("WWW-Authenticate"),
              "Bearer realm=\"keyward-admin\", error=\"invalid_token\"");
  }
  Connection c(port());
  auto r =
      c.request("GET /admin/v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a.b.c\r\n\r\n");
  expect_problem(r, 401, "invalid-token");
  Connection c2(port());
  r = c2.request("GET /admin/v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n\r\n");
  expect_problem(r, 401, "unauthorized");
}

TEST_F(AdminApi, EveryRouteRefusesTheWrongScopeWith403) {
  for (const auto& route : kRoutes) {
    SCOPED_TRACE(route.method + " " + route.target);
    for (const std::string as :
         {"plain", "clients-admin", "users-admin", "keys-admin", "events-admin"}) {
      const std::string part = as.substr(0, as.find('-'));
      if (part == route.part || (route.part == "status" && as != "plain")) continue;
      const auto r = call(route.method, route.target, as);
      expect_problem(r, 403, "insufficient-scope");
      const auto challenge = r.header("WWW-Authenticate").value_or("");
      EXPECT_NE(challenge.find("error=\"insufficient_scope\""), std::string::npos) << challenge;
      const std::string scope =
          route.part == "status" ? "keyward:admin" : "keyward:admin:" + route.part;
      EXPECT_NE(challenge.find("scope=\"" + scope + "\""), std::string::npos) << challenge;
    }
  }
}

TEST_F(AdminApi, PartScopesReachTheirPart) {
  EXPECT_EQ(call("GET", "/admin/v1/clients", "clients-admin").status, 200);
  EXPECT_EQ(call("GET", "/admin/v1/users", "users-admin").status, 200);
  EXPECT_EQ(call("GET", "/admin/v1/keys", "keys-admin").status, 200);
  EXPECT_EQ(call("GET", "/admin/v1/events", "events-admin").status, 200);
  EXPECT_EQ(call("GET", "/admin/v1/stats", "events-admin").status, 200);
  for (const std::string as :
       {"clients-admin", "users-admin", "keys-admin", "events-admin", "admin"}) {
    EXPECT_EQ(call("GET", "/admin/v1/status", as).status, 200) << as;
  }
}

TEST_F(AdminApi, ClientLifecycle) {
  auto created = created_client({{"client_name", "billing"},
                                 {"grant_types", {"client_credentials"}},
                                 {"scope", "invoices:read"},
                                 {"audiences", {"https://api.example"}}});
  const std::string id = created["client_id"];
  const std::string secret = created["client_secret"];
  EXPECT_EQ(created["client_name"], "billing");
  EXPECT_EQ(created["client_type"], "confidential");
  EXPECT_EQ(created["scope"], "invoices:read");
  // The new client can get tokens at once.
  const RegisteredClient billing{id, secret};
  EXPECT_FALSE(fetch_token(billing).empty());

  auto r = call("GET", "/admin/v1/clients/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().contains("client_secret"));
  EXPECT_EQ(r.json()["client_name"], "billing");
  EXPECT_EQ(r.body.find(secret), std::string::npos);

  r = call("PATCH", "/admin/v1/clients/" + id, "admin",
           json{{"first_party", true}, {"may_introspect", true}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["first_party"], true);
  EXPECT_EQ(r.json()["may_introspect"], true);
  r = call("PATCH", "/admin/v1/clients/" + id, "admin", json{{"first_party", false}}.dump(),
           "application/merge-patch+json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["first_party"], false);
  EXPECT_EQ(r.json()["may_introspect"], true);

  r = call("POST", "/admin/v1/clients/" + id + "/secret");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string new_secret = r.json()["client_secret"];
  EXPECT_NE(new_secret, secret);
  // The old secret stops working at once; the new one works.
  EXPECT_EQ(post(port(), "/token", "grant_type=client_credentials",
                 "application/x-www-form-urlencoded", basic_authorization(id, secret))
                .status,
            401);
  EXPECT_FALSE(fetch_token({id, new_secret}).empty());

  r = call("DELETE", "/admin/v1/clients/" + id);
  EXPECT_EQ(r.status, 204) << r.body;
  expect_problem(call("GET", "/admin/v1/clients/" + id), 404, "not-found");
  expect_problem(call("DELETE", "/admin/v1/clients/" + id), 404, "not-found");
  EXPECT_EQ(post(port(), "/token", "grant_type=client_credentials",
                 "application/x-www-form-urlencoded", basic_authorization(id, new_secret))
                .status,
            401);

  // Every change is logged with the acting client, never a secret.
  const std::string admin_id = suite_->client("admin").id;
  std::set<std::string> actions;
  for (const auto& line : suite_->process().log_lines()) {
    if (line.value("msg", "") != "admin change" || line.value("target", "") != id) continue;
    EXPECT_EQ(line["client_id"], admin_id) << line.dump();
    actions.insert(line["action"]);
  }
  EXPECT_EQ(actions, (std::set<std::string>{"client.create", "client.update",
                                            "client.rotate_secret", "client.delete"}));
  const auto output = suite_->process().output();
  EXPECT_EQ(output.find(secret), std::string::npos);
  EXPECT_EQ(output.find(new_secret), std::string::npos);
}

TEST_F(AdminApi, ClientInputIsCheckedBeforeAnythingChanges) {
  const auto before = call("GET", "/admin/v1/status").json()["counts"]["clients"];
  // The registration rules (the CLI's): a public client cannot use client_credentials.
  auto r = call("POST", "/admin/v1/clients", "admin",
                json{{"client_name", "x"},
                     {"grant_types", {"client_credentials"}},
                     {"scope", "a"},
                     {"client_type", "public"}}
                    .dump());
  expect_problem(r, 400, "invalid-request");
  // Missing and unknown and mistyped fields, each named.
  r = call("POST", "/admin/v1/clients", "admin",
           json{{"grant_types", "client_credentials"}, {"colour", "red"}, {"scope", "a"}}.dump());
  expect_problem(r, 400, "invalid-request");
  std::set<std::string> fields;
  const auto problem_doc = r.json();
  for (const auto& e : problem_doc["errors"]) fields.insert(e["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"client_name", "grant_types", "colour"})) << r.body;
  expect_problem(call("POST", "/admin/v1/clients", "admin", "{not json"), 400, "invalid-request");
  expect_problem(call("POST", "/admin/v1/clients", "admin", "[1]"), 400, "invalid-request");
  expect_problem(call("POST", "/admin/v1/clients", "admin", "{}", "text/plain"), 415,
                 "unsupported-media-type");
  expect_problem(call("POST", "/admin/v1/clients", "admin",
                      json{{"client_name", std::string(20000, 'a')}}.dump()),
                 413, "body-too-large");
  expect_problem(call("POST", "/admin/v1/clients", "admin"), 400, "invalid-request");
  const auto any = created_client({{"client_name", "spa"},
                                   {"grant_types", {"authorization_code"}},
                                   {"scope", "openid"},
                                   {"client_type", "public"},
                                   {"redirect_uris", {"http://127.0.0.1:7000/cb"}}});
  EXPECT_EQ(any["client_type"], "public");
  EXPECT_FALSE(any.contains("client_secret"));
  // A public client has no secret to rotate, and cannot introspect.
  const std::string spa = any["client_id"];
  expect_problem(call("POST", "/admin/v1/clients/" + spa + "/secret"), 409, "conflict");
  r = call("PATCH", "/admin/v1/clients/" + spa, "admin", json{{"may_introspect", true}}.dump());
  expect_problem(r, 400, "invalid-request");
  // A refused PATCH stores none of its settings, not even those that were acceptable.
  r = call("PATCH", "/admin/v1/clients/" + spa, "admin",
           json{{"first_party", true}, {"may_introspect", true}}.dump());
  expect_problem(r, 400, "invalid-request");
  r = call("GET", "/admin/v1/clients/" + spa);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["first_party"], false);
  EXPECT_EQ(r.json()["may_introspect"], false);
  expect_problem(
      call("PATCH", "/admin/v1/clients/" + spa, "admin", json{{"client_name", "renamed"}}.dump()),
      400, "invalid-request");
  expect_problem(
      call("PATCH", "/admin/v1/clients/nope", "admin", json{{"first_party", true}}.dump()), 404,
      "not-found");
  EXPECT_EQ(call("GET", "/admin/v1/status").json()["counts"]["clients"], before.get<int>() + 1);
  EXPECT_EQ(call("DELETE", "/admin/v1/clients/" + spa).status, 204);
}

TEST_F(AdminApi, ClientsPageAndFilter) {
  std::set<std::string> made;
  for (int i = 0; i < 5; ++i) {
    made.insert(created_client({{"client_name", "Paged " + std::to_string(i)},
                                {"grant_types", {"client_credentials"}},
                                {"scope", "a"}})["client_id"]
                    .get<std::string>());
  }
  std::set<std::string> seen;
  std::string target = "/admin/v1/clients?name=paged&limit=2";
  std::vector<size_t> sizes;
  for (int pages = 0; pages < 10 && !target.empty(); ++pages) {
    const auto r = call("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = r.json();
    sizes.push_back(doc["items"].size());
    for (const auto& c : doc["items"]) {
      EXPECT_TRUE(seen.insert(c["client_id"].get<std::string>()).second) << "repeated";
    }
    target = doc.value("next", "");
    if (!target.empty()) {
      EXPECT_TRUE(doc["next_cursor"].is_string());
    }
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(seen, made);
  // The grant-type filter: none of the admin clients uses authorization_code.
  auto r = call("GET", "/admin/v1/clients?grant_type=password");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json()["items"].empty());
  r = call("GET", "/admin/v1/clients?limit=200");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.json().contains("next"));
  EXPECT_GE(r.json()["items"].size(), 11u);
  for (const std::string bad : {"limit=0", "limit=201", "limit=x", "limit=1&limit=2",
                                "cursor=%21%21", "cursor=bm90LW91cnM", "colour=red"}) {
    expect_problem(call("GET", "/admin/v1/clients?" + bad), 400, "invalid-request");
  }
  for (const auto& id : made) EXPECT_EQ(call("DELETE", "/admin/v1/clients/" + id).status, 204);
}

TEST_F(AdminApi, UserLifecycle) {
  const auto user = created_user("Erika", "erika@example.com");
  const std::string id = user["id"];
  EXPECT_EQ(user["username"], "erika");
  EXPECT_EQ(user["email_verified"], false);
  EXPECT_FALSE(user.contains("password_hash"));
  expect_problem(call("POST", "/admin/v1/users", "admin",
                      json{{"username", "erika"}, {"password", "another password"}}.dump()),
                 409, "conflict");
  auto r = call("POST", "/admin/v1/users", "admin",
                json{{"username", "shorty"}, {"password", "short"}}.dump());
  expect_problem(r, 400, "invalid-request");
  EXPECT_EQ(r.json()["errors"][0]["field"], "password");
  r = call("POST", "/admin/v1/users", "admin",
           json{{"username", "has space"}, {"password", "long enough"}}.dump());
  expect_problem(r, 400, "invalid-request");
  EXPECT_EQ(r.json()["errors"][0]["field"], "username");

  r = call("GET", "/admin/v1/users/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), user);
  expect_problem(call("GET", "/admin/v1/users/not-a-uuid"), 404, "not-found");
  expect_problem(call("GET", "/admin/v1/users/00000000-0000-0000-0000-000000000000"), 404,
                 "not-found");

  r = call("PATCH", "/admin/v1/users/" + id, "admin",
           json{{"given_name", "Erika"}, {"family_name", "Mustermann"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["given_name"], "Erika");
  r = call("PATCH", "/admin/v1/users/" + id, "admin", json{{"family_name", nullptr}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json()["family_name"].is_null());
  EXPECT_EQ(r.json()["given_name"], "Erika");
  expect_problem(
      call("PATCH", "/admin/v1/users/" + id, "admin", json{{"email", "not an address"}}.dump()),
      400, "invalid-request");
  expect_problem(
      call("PATCH", "/admin/v1/users/" + id, "admin", json{{"username", "other"}}.dump()), 400,
      "invalid-request");

  r = call("POST", "/admin/v1/users/" + id + "/verify-email");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["email_verified"], true);
  r = call("POST", "/admin/v1/users/" + id + "/disable");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["disabled"], true);
  EXPECT_EQ(r.json()["revoked"], (json{{"grants", 0}, {"sessions", 0}}));
  r = call("POST", "/admin/v1/users/" + id + "/enable", "admin", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["disabled"], false);
  EXPECT_FALSE(r.json().contains("revoked"));
  r = call("POST", "/admin/v1/users/" + id + "/password", "admin",
           json{{"password", "a brand new password"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().contains("revoked"));
  expect_problem(call("POST", "/admin/v1/users/" + id + "/password", "admin", "{}"), 400,
                 "invalid-request");
  r = call("POST", "/admin/v1/users/" + id + "/revoke");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["revoked"]["grants"], 0);
  expect_problem(
      call("POST", "/admin/v1/users/" + id + "/revoke", "admin", json{{"why", "x"}}.dump()), 400,
      "invalid-request");

  r = call("GET", "/admin/v1/users/" + id + "/sessions");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json{{"items", json::array()}}));
  r = call("DELETE", "/admin/v1/users/" + id + "/sessions");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json{{"sessions_ended", 0}}));
  r = call("GET", "/admin/v1/users/" + id + "/consents");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (json{{"items", json::array()}}));
  expect_problem(call("DELETE", "/admin/v1/users/" + id + "/consents/some-client"), 404,
                 "not-found");

  EXPECT_EQ(call("DELETE", "/admin/v1/users/" + id).status, 204);
  expect_problem(call("GET", "/admin/v1/users/" + id), 404, "not-found");
  for (const std::string action : {"disable", "enable", "verify-email", "revoke"}) {
    expect_problem(call("POST", "/admin/v1/users/" + id + "/" + action), 404, "not-found");
  }
  const std::string admin_id = suite_->client("admin").id;
  size_t logged = 0;
  for (const auto& line : suite_->process().log_lines()) {
    if (line.value("msg", "") != "admin change" || line.value("target", "") != id) continue;
    EXPECT_EQ(line["client_id"], admin_id);
    ++logged;
  }
  EXPECT_EQ(logged, 10u);
  EXPECT_EQ(suite_->process().output().find("a brand new password"), std::string::npos);
}

TEST_F(AdminApi, UserWithoutEmailCannotBeVerified) {
  const std::string id = created_user("no-mail")["id"];
  expect_problem(call("POST", "/admin/v1/users/" + id + "/verify-email"), 409, "conflict");
  EXPECT_EQ(call("DELETE", "/admin/v1/users/" + id).status, 204);
}

TEST_F(AdminApi, UsersPageAndSearch) {
  std::set<std::string> made;
  for (const std::string name : {"pg-a", "pg-b", "pg-c"}) made.insert(created_user(name)["id"]);
  const std::string other = created_user("findme", "pg-mail@example.com")["id"];
  auto r = call("GET", "/admin/v1/users?search=pg-&limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = r.json();
  ASSERT_EQ(doc["items"].size(), 3u);
  EXPECT_EQ(doc["items"][0]["username"], "findme");  // by username; found by e-mail
  ASSERT_TRUE(doc.contains("next"));
  r = call("GET", doc["next"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["items"].size(), 1u);
  EXPECT_EQ(r.json()["items"][0]["username"], "pg-c");
  EXPECT_FALSE(r.json().contains("next"));
  expect_problem(call("GET", "/admin/v1/users?name=x"), 400, "invalid-request");
  made.insert(other);
  for (const auto& id : made) EXPECT_EQ(call("DELETE", "/admin/v1/users/" + id).status, 204);
}

TEST_F(AdminApi, KeysListAndRotate) {
  auto r = call("GET", "/admin/v1/keys", "keys-admin");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["items"].size(), 1u);
  EXPECT_EQ(r.json()["items"][0]["state"], "active");
  expect_problem(call("POST", "/admin/v1/keys/rotate", "keys-admin", json{{"alg", "HS256"}}.dump()),
                 400, "invalid-request");
  r = call("POST", "/admin/v1/keys/rotate", "keys-admin", json{{"alg", "ES256"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["state"], "next");
  EXPECT_EQ(r.json()["alg"], "ES256");
  const std::string kid = r.json()["kid"];
  expect_problem(call("POST", "/admin/v1/keys/rotate", "keys-admin", json{{"alg", "ES256"}}.dump()),
                 409, "conflict");
  r = call("GET", "/admin/v1/keys");
  EXPECT_EQ(r.json()["items"].size(), 2u);
  // The new key is published in the JWKS (the server re-read its keys on NOTIFY).
  const auto jwks = poll(
      port(), "/jwks", [&](const Response& j) { return j.body.find(kid) != std::string::npos; },
      std::chrono::seconds(10));
  EXPECT_NE(jwks.body.find(kid), std::string::npos);
  bool logged = false;
  for (const auto& line : suite_->process().log_lines()) {
    logged = logged || (line.value("msg", "") == "admin change" &&
                        line.value("action", "") == "keys.rotate" &&
                        line.value("client_id", "") == suite_->client("keys-admin").id);
  }
  EXPECT_TRUE(logged);

  // EdDSA (Ed25519) too: its own pending key beside the ES256 one, published as an OKP JWK.
  r = call("POST", "/admin/v1/keys/rotate", "keys-admin", json{{"alg", "EdDSA"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["alg"], "EdDSA");
  EXPECT_EQ(r.json()["state"], "next");
  const std::string ed_kid = r.json()["kid"];
  const auto with_ed = poll(
      port(), "/jwks", [&](const Response& j) { return j.body.find(ed_kid) != std::string::npos; },
      std::chrono::seconds(10));
  const auto published = with_ed.json();
  bool okp = false;
  for (const auto& k : published["keys"]) {
    okp = okp || (k["kid"] == ed_kid && k["kty"] == "OKP" && k["crv"] == "Ed25519" &&
                  k["alg"] == "EdDSA" && !k.contains("d"));
  }
  EXPECT_TRUE(okp) << with_ed.body;
  const auto bad =
      call("POST", "/admin/v1/keys/rotate", "keys-admin", json{{"alg", "Ed448"}}.dump());
  expect_problem(bad, 400, "invalid-request");
  EXPECT_NE(bad.body.find("must be RS256, ES256 or EdDSA"), std::string::npos) << bad.body;
}

TEST_F(AdminApi, RegistrationTokens) {
  auto r = call("POST", "/admin/v1/registration-tokens", "clients-admin",
                json{{"expires_in", 3600}, {"max_uses", 1}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const auto created = r.json();
  const std::string id = created["id"];
  const std::string token = created["token"];
  EXPECT_EQ(created["max_uses"], 1);
  EXPECT_EQ(created["uses"], 0);
  EXPECT_TRUE(created["expires_at"].is_number());
  EXPECT_EQ(r.header("Location"), "/admin/v1/registration-tokens/" + id);

  r = call("GET", "/admin/v1/registration-tokens", "clients-admin");
  ASSERT_EQ(r.status, 200) << r.body;
  bool listed = false;
  const auto tokens = r.json();
  for (const auto& t : tokens["items"]) {
    listed = listed || t["id"] == id;
    EXPECT_FALSE(t.contains("token"));
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(r.body.find(token), std::string::npos);

  // The token registers a client at POST /register (RFC 7591), once.
  const std::string metadata =
      json{{"client_name", "dcr app"}, {"redirect_uris", {"https://app.example/cb"}}}.dump();
  const auto registered = post(port(), "/register", metadata, "application/json",
                               "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(registered.status, 201) << registered.body;

  for (const auto& bad : {json{{"expires_in", 0}}, json{{"max_uses", 0}},
                          json{{"expires_in", "soon"}}, json{{"uses", 1}}}) {
    expect_problem(call("POST", "/admin/v1/registration-tokens", "admin", bad.dump()), 400,
                   "invalid-request");
  }
  r = call("POST", "/admin/v1/registration-tokens");  // no limits: never expires, unlimited
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json()["expires_at"].is_null());
  EXPECT_TRUE(r.json()["max_uses"].is_null());
  const std::string unlimited = r.json()["id"];

  EXPECT_EQ(call("DELETE", "/admin/v1/registration-tokens/" + id).status, 204);
  expect_problem(call("DELETE", "/admin/v1/registration-tokens/" + id), 404, "not-found");
  EXPECT_EQ(call("DELETE", "/admin/v1/registration-tokens/" + unlimited).status, 204);
  const auto output = suite_->process().output();
  EXPECT_EQ(output.find(token), std::string::npos);
  bool logged = false;
  for (const auto& line : suite_->process().log_lines()) {
    logged = logged || (line.value("action", "") == "registration_token.create" &&
                        line.value("target", "") == id &&
                        line.value("client_id", "") == suite_->client("clients-admin").id);
  }
  EXPECT_TRUE(logged);
}

TEST_F(AdminApi, Status) {
  const auto r = call("GET", "/admin/v1/status", "users-admin");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto doc = r.json();
  EXPECT_TRUE(doc["version"].is_string());
  EXPECT_EQ(doc["database"], "ok");
  EXPECT_GE(doc["keys"].size(), 1u);
  EXPECT_GE(doc["counts"]["clients"].get<int>(), 6);
  EXPECT_TRUE(doc["counts"]["users"].is_number());
}

TEST_F(AdminApi, OpenApiDocumentNeedsNoToken) {
  const auto r = call("GET", "/admin/v1/openapi.json", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  std::ifstream in(std::string(KEYWARD_SOURCE_DIR) + "/docs/openapi.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(r.json(), json::parse(text.str()));
  EXPECT_EQ(r.json()["openapi"], "3.1.0");
}

TEST_F(AdminApi, UnknownMethodsAndPaths) {
  auto r = call("PUT", "/admin/v1/clients/x");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, PATCH, DELETE");
  EXPECT_EQ(call("GET", "/admin/v1/clients/x/y/z").status, 404);
  EXPECT_EQ(call("GET", "/admin/v1/nothing").status, 404);
}

TEST_F(AdminApi, ADeletedAdminClientsTokensStopWorking) {
  suite_->register_client("temp", "temp",
                          {"--grant-types", "client_credentials", "--scopes", "keyward:admin",
                           "--audience", kAdminAudience});
  (*tokens_)["temp"] = fetch_token(suite_->client("temp"));
  EXPECT_EQ(call("GET", "/admin/v1/status", "temp").status, 200);
  EXPECT_EQ(call("DELETE", "/admin/v1/clients/" + suite_->client("temp").id).status, 204);
  expect_problem(call("GET", "/admin/v1/status", "temp"), 401, "invalid-token");
}

// `keyward:admin:clients` must not be a way to `keyward:admin`: a part-scoped caller can
// neither give a client an admin scope or the admin audience, nor change, rotate the secret
// of or delete a client that has one (it would get its secret, or its tokens).
TEST_F(AdminApi, OnlyAFullAdminGrantsOrTouchesAdminPower) {
  const auto count = [] { return call("GET", "/admin/v1/status").json()["counts"]["clients"]; };
  const auto before = count();
  const auto expect_refused = [](const Response& r) {
    expect_problem(r, 403, "insufficient-scope");
    const auto challenge = r.header("WWW-Authenticate").value_or("");
    EXPECT_NE(challenge.find("error=\"insufficient_scope\", scope=\"keyward:admin\""),
              std::string::npos)
        << challenge;
  };
  const auto creation = [](const std::string& scope, const std::string& audience) {
    return json{{"client_name", "escalation"},
                {"grant_types", {"client_credentials"}},
                {"scope", scope},
                {"audiences", {audience}}}
        .dump();
  };
  for (const auto& [scope, audience] : std::vector<std::pair<std::string, std::string>>{
           {"keyward:admin", kAdminAudience},
           {"keyward:admin:users", "https://api.example"},
           {"read keyward:admin:keys", "https://api.example"},
           {"read", kAdminAudience}}) {
    SCOPED_TRACE(scope + " for " + audience);
    expect_refused(call("POST", "/admin/v1/clients", "clients-admin", creation(scope, audience)));
  }
  EXPECT_EQ(count(), before);

  // The full-admin client and a part-admin one stay out of reach, and keep working.
  for (const std::string target : {"admin", "users-admin", "plain"}) {
    SCOPED_TRACE(target);
    const std::string id = suite_->client(target).id;
    expect_refused(call("POST", "/admin/v1/clients/" + id + "/secret", "clients-admin"));
    expect_refused(call("PATCH", "/admin/v1/clients/" + id, "clients-admin",
                        json{{"first_party", true}}.dump()));
    expect_refused(call("DELETE", "/admin/v1/clients/" + id, "clients-admin"));
    EXPECT_EQ(call("GET", "/admin/v1/clients/" + id, "clients-admin").json()["first_party"], false);
    EXPECT_FALSE(fetch_token(suite_->client(target)).empty());
  }
  EXPECT_EQ(count(), before);
  expect_problem(call("POST", "/admin/v1/clients/nope/secret", "clients-admin"), 404, "not-found");

  // Ordinary clients are still the clients part's to manage.
  auto r = call("POST", "/admin/v1/clients", "clients-admin",
                creation("invoices:read", "https://api.example"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string ordinary = r.json()["client_id"];
  EXPECT_EQ(call("POST", "/admin/v1/clients/" + ordinary + "/secret", "clients-admin").status, 200);
  EXPECT_EQ(call("DELETE", "/admin/v1/clients/" + ordinary, "clients-admin").status, 204);

  // keyward:admin itself may do all of it.
  const auto granted = created_client(json::parse(creation("keyward:admin:users", kAdminAudience)));
  const std::string id = granted["client_id"];
  const RegisteredClient users_admin{id, granted["client_secret"]};
  EXPECT_FALSE(fetch_token(users_admin).empty());
  EXPECT_EQ(call("POST", "/admin/v1/clients/" + id + "/secret").status, 200);
  EXPECT_EQ(call("DELETE", "/admin/v1/clients/" + id).status, 204);
}

// An initial access token (the clients part makes them) registers ordinary clients only:
// the admin scopes are not to be had at POST /register.
TEST_F(AdminApi, DynamicRegistrationCannotObtainAdminScopes) {
  auto r = call("POST", "/admin/v1/registration-tokens", "clients-admin");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"];
  const std::string token = r.json()["token"];
  for (const std::string scope :
       {"keyward:admin", "keyward:admin:clients", "read keyward:admin:users"}) {
    SCOPED_TRACE(scope);
    const auto registered = post(port(), "/register",
                                 json{{"client_name", "escalation"},
                                      {"grant_types", {"client_credentials"}},
                                      {"scope", scope}}
                                     .dump(),
                                 "application/json", "Authorization: Bearer " + token + "\r\n");
    EXPECT_EQ(registered.status, 400) << registered.body;
    EXPECT_EQ(registered.json().value("error", ""), "invalid_client_metadata") << registered.body;
  }
  const auto ordinary = post(
      port(), "/register",
      json{{"client_name", "service"}, {"grant_types", {"client_credentials"}}, {"scope", "read"}}
          .dump(),
      "application/json", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(ordinary.status, 201) << ordinary.body;
  EXPECT_EQ(call("DELETE", "/admin/v1/registration-tokens/" + id).status, 204);
}

TEST_F(AdminApi, CliAndApiGiveTheSameAnswers) {
  const auto cli = run_keyward({"client", "show", suite_->client("plain").id}, suite_->env());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const auto api = call("GET", "/admin/v1/clients/" + suite_->client("plain").id);
  ASSERT_EQ(api.status, 200);
  EXPECT_EQ(json::parse(cli.output), api.json());
  // A client the API made, shown by the CLI.
  const std::string id = created_client({{"client_name", "made by api"},
                                         {"grant_types", {"client_credentials"}},
                                         {"scope", "a"}})["client_id"];
  const auto shown = run_keyward({"client", "show", id}, suite_->env());
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_EQ(json::parse(shown.output), call("GET", "/admin/v1/clients/" + id).json());
  const auto deleted = run_keyward({"client", "delete", id}, suite_->env());
  EXPECT_EQ(deleted.exit_code, 0) << deleted.output;
  expect_problem(call("GET", "/admin/v1/clients/" + id), 404, "not-found");
}

// Audit events seeded yesterday (UTC) under clients of their own, so the events the
// server itself records while the other tests run never change these figures.
class AdminEvents : public AdminApi {
 protected:
  static void seed() {
    static bool seeded = false;
    if (seeded) return;
    seeded = true;
    const auto at = [](int hour) {
      return "(date_trunc('day', now() AT TIME ZONE 'UTC') - interval '1 day' + interval '" +
             std::to_string(hour) + " hours') AT TIME ZONE 'UTC'";
    };
    std::string sql =
        "INSERT INTO events (occurred_at, type, user_id, client_id, actor, detail) VALUES ";
    const auto row = [&](int hour, const std::string& type, const std::string& user,
                         const std::string& client, const std::string& detail) {
      if (sql.back() == ')') sql += ", ";
      sql += "(" + at(hour) + ", '" + type + "', " + (user.empty() ? "NULL" : "'" + user + "'") +
             ", '" + client + "', 'admin:evt', '" + detail + "')";
    };
    row(1, "token_issued", kUserA, "evt-web", R"({"grant": "authorization_code"})");
    row(2, "token_issued", kUserB, "evt-web", R"({"grant": "refresh_token"})");
    row(3, "token_issued", "", "evt-svc", R"({"grant": "client_credentials"})");
    row(4, "sign_in", kUserA, "evt-web", R"({"method": "password"})");
    row(5, "sign_in_failed", "", "evt-web", R"({"reason": "bad_credentials"})");
    row(6, "sign_in_throttled", "", "evt-web", "{}");
    row(7, "client_changed", "", "evt-svc", R"({"fields": ["scope"]})");
    suite_->database().exec(sql);
  }
  void SetUp() override {
    AdminApi::SetUp();
    if (!IsSkipped()) seed();
  }
  static constexpr const char* kUserA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
  static constexpr const char* kUserB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
};

TEST_F(AdminEvents, ListFiltersAndPagesNewestFirst) {
  auto r = call("GET", "/admin/v1/events?client=evt-web", "events-admin");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  auto doc = r.json();
  ASSERT_EQ(doc["items"].size(), 5u) << r.body;
  EXPECT_FALSE(doc.contains("next"));
  const auto& newest = doc["items"][0];
  EXPECT_EQ(newest["type"], "sign_in_throttled");
  EXPECT_EQ(newest["client_id"], "evt-web");
  EXPECT_EQ(newest["actor"], "admin:evt");
  EXPECT_TRUE(newest["user_id"].is_null());
  EXPECT_EQ(doc["items"][4]["type"], "token_issued");
  EXPECT_EQ(doc["items"][4]["detail"], json({{"grant", "authorization_code"}}));

  std::vector<std::string> types;
  std::string target = "/admin/v1/events?client=evt-web&limit=2";
  std::vector<size_t> sizes;
  for (int pages = 0; pages < 10 && !target.empty(); ++pages) {
    r = call("GET", target, "events-admin");
    ASSERT_EQ(r.status, 200) << r.body;
    doc = r.json();
    sizes.push_back(doc["items"].size());
    for (const auto& e : doc["items"]) types.push_back(e["type"]);
    target = doc.value("next", "");
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(types, (std::vector<std::string>{"sign_in_throttled", "sign_in_failed", "sign_in",
                                             "token_issued", "token_issued"}));

  const auto count = [&](const std::string& query) {
    const auto answer = call("GET", "/admin/v1/events?" + query, "events-admin");
    EXPECT_EQ(answer.status, 200) << query << ": " << answer.body;
    return answer.json()["items"].size();
  };
  EXPECT_EQ(count(std::string("user=") + kUserA), 2u);
  EXPECT_EQ(count("client=evt-svc&type=token_issued"), 1u);
  EXPECT_EQ(count("type=sign_in_throttled&client=evt-web"), 1u);
  EXPECT_EQ(count("client=evt-web&since=2d&until=1s"), 5u);
  EXPECT_EQ(count("client=evt-web&since=1s"), 0u);
  EXPECT_EQ(count("client=evt-web&until=2000-01-01T00:00:00Z"), 0u);

  // A relative bound is resolved once: the next page's link carries the absolute time,
  // so paging does not move the window (and skip events at its edge).
  r = call("GET", "/admin/v1/events?client=evt-web&since=2d&limit=2", "events-admin");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string next = r.json().value("next", "");
  EXPECT_EQ(next.find("since=2d"), std::string::npos) << next;
  EXPECT_NE(next.find("since=20"), std::string::npos) << next;  // since=2026-12-05T…Z
  EXPECT_NE(next.find("Z&"), std::string::npos) << next;
  // The full admin scope reads them too.
  EXPECT_EQ(call("GET", "/admin/v1/events?client=evt-svc").json()["items"].size(), 2u);
}

TEST_F(AdminEvents, ListRefusesBadFilters) {
  for (const std::string bad :
       {"type=signin", "since=yesterday", "until=2026-13-01", "limit=0", "limit=201",
        "cursor=bm90LW91cnM", "colour=red", "client=a&client=b", "since=2300-01-01",
        "until=9999-12-31T00:00:00Z", "since=99999999999d",
        // "k1:9250000000000000:1": a position past what the nanosecond clock holds.
        "cursor=azE6OTI1MDAwMDAwMDAwMDAwMDox"}) {
    SCOPED_TRACE(bad);
    expect_problem(call("GET", "/admin/v1/events?" + bad, "events-admin"), 400, "invalid-request");
  }
  const auto r = call("GET", "/admin/v1/events?type=signin", "events-admin");
  EXPECT_EQ(r.json()["errors"][0]["field"], "type");
  EXPECT_EQ(
      call("GET", "/admin/v1/events?since=2300-01-01", "events-admin").json()["errors"][0]["field"],
      "since");
  expect_problem(call("GET", "/admin/v1/events?user=nobody-at-all", "events-admin"), 404,
                 "not-found");
  // NUL, invalid UTF-8 and huge values in every filter, and in stats' days, change nothing
  // and are refused as the request's fault.
  const std::string huge(5000, 'a');
  for (const std::string& bad :
       {std::string("client=ab%00cd"), std::string("user=%FF%FE"), std::string("type=sign_in%00"),
        std::string("since=%C3%28"), "type=" + huge, "cursor=" + huge, "since=" + huge}) {
    SCOPED_TRACE(bad.substr(0, 40));
    expect_problem(call("GET", "/admin/v1/events?" + bad, "events-admin"), 400, "invalid-request");
  }
  // A client id no client can have simply matches nothing.
  const auto none = call("GET", "/admin/v1/events?client=" + huge, "events-admin");
  ASSERT_EQ(none.status, 200) << none.body.substr(0, 200);
  EXPECT_TRUE(none.json()["items"].empty()) << none.body.substr(0, 200);
  for (const std::string& bad : {std::string("days=%00"), std::string("days=%FF"),
                                 std::string("days=1&days=2"), "days=" + std::string(400, '9')}) {
    SCOPED_TRACE(bad.substr(0, 40));
    expect_problem(call("GET", "/admin/v1/stats?" + bad, "events-admin"), 400, "invalid-request");
  }
}

TEST_F(AdminEvents, StatsGiveTheSeededFigures) {
  const auto r = call("GET", "/admin/v1/stats?days=2", "events-admin");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto doc = r.json();
  EXPECT_EQ(doc["days"], 2);
  ASSERT_EQ(doc["totals"].size(), 2u);
  const auto& yesterday = doc["totals"][0];
  EXPECT_EQ(yesterday["tokens_issued"], 3);
  EXPECT_EQ(yesterday["tokens_by_grant"],
            json({{"authorization_code", 1}, {"client_credentials", 1}, {"refresh_token", 1}}));
  EXPECT_EQ(yesterday["sign_ins"], 1);
  EXPECT_EQ(yesterday["sign_in_failures"], 2);
  EXPECT_EQ(yesterday["active_users"], 2);
  std::map<std::string, json> clients;
  for (const auto& c : doc["by_client"]) {
    if (c["day"] == yesterday["day"]) clients[c["client_id"]] = c;
  }
  ASSERT_EQ(clients.count("evt-web"), 1u) << r.body;
  EXPECT_EQ(clients["evt-web"]["tokens_issued"], 2);
  EXPECT_EQ(clients["evt-web"]["sign_ins"], 1);
  EXPECT_EQ(clients["evt-web"]["sign_in_failures"], 2);
  EXPECT_EQ(clients["evt-web"]["active_users"], 2);
  EXPECT_EQ(clients["evt-svc"]["tokens_by_grant"], json({{"client_credentials", 1}}));
  EXPECT_EQ(clients["evt-svc"]["active_users"], 0);
  // Seven days by default.
  EXPECT_EQ(call("GET", "/admin/v1/stats", "events-admin").json()["totals"].size(), 7u);
  for (const std::string bad : {"days=0", "days=367", "days=x", "days=1&days=2", "week=1"}) {
    SCOPED_TRACE(bad);
    expect_problem(call("GET", "/admin/v1/stats?" + bad, "events-admin"), 400, "invalid-request");
  }
}

TEST_F(AdminEvents, CliAndApiGiveTheSameEvents) {
  const auto cli = run_keyward({"events", "--client", "evt-svc", "--json"}, suite_->env());
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  const auto api = call("GET", "/admin/v1/events?client=evt-svc", "events-admin");
  EXPECT_EQ(json::parse(cli.output), api.json()["items"]);
}

}  // namespace
}  // namespace keyward::test
