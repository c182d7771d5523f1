// Audit events written by the real flows (issue 15, docs/observability.md): a real
// `keyward serve` (password grant on, open sign-up and dynamic registration, an upstream
// OpenID provider, mails to an SMTP sink) is driven over HTTP and through the `keyward`
// CLI as people, applications and operators would, and every event type must then be a
// row of the `events` table with the user, client, address, actor and detail the fact
// calls for. The writer is asynchronous, so each check polls for a few seconds. Each test
// also checks that no event holds a secret, token, code or password it used.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <thread>

#include "audit/event.h"
#include "common/crypto.h"
#include "grants/pkce.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/child_process.h"
#include "tests/http/support/cli_run.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/mail_sink.h"
#include "tests/http/support/server_process.h"
#include "tests/http/support/suite_server.h"
#include "tests/http/support/upstream_provider.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMasterKey =
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
constexpr std::string_view kPassword = "audit trail passphrase 1";
constexpr std::string_view kNewPassword = "audit trail passphrase 2";
constexpr std::string_view kUpstreamSecret = "upstream-client-secret-for-audit";
constexpr std::string_view kSpaRedirect = "https://spa.example/callback";

std::string target_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

Params form_fields(const std::string& html, std::string_view action) {
  const std::string open = "action=\"" + std::string(action) + "\"";
  const auto start = html.find(open);
  if (start == std::string::npos) return {};
  return hidden_fields(html.substr(start, html.find("</form>", start) - start));
}

std::string csrf_of(const std::string& html) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"csrf_token\" value=\"([A-Za-z0-9_-]+)\""))) {
    return "";
  }
  return m[1];
}

// One row of the events table, as read back.
struct EventRow {
  std::string type, user_id, client_id, address, actor, request_id;
  json detail;
};

struct Pkce {
  std::string verifier = random_token(48);
  std::string challenge = grants::pkce_s256_challenge(verifier);
};

class AuditEvents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    sink_ = new MailSink();
    upstream_ = new UpstreamProvider();
    port_ = free_port();
    issuer_ = new std::string("http://127.0.0.1:" + std::to_string(port_));
    auto* suite = new SuiteServer({{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
                                   {"KEYWARD_ISSUER", *issuer_},
                                   {"KEYWARD_LISTEN", "127.0.0.1:" + std::to_string(port_)},
                                   {"KEYWARD_REGISTRATION", "open"},
                                   {"KEYWARD_DCR", "open"},
                                   {"KEYWARD_PASSWORD_GRANT", "true"},
                                   {"KEYWARD_REFRESH_REUSE_GRACE", "0"},
                                   {"KEYWARD_SMTP_URL", sink_->smtp_url()},
                                   {"KEYWARD_SMTP_FROM", "Keyward <no-reply@keyward.test>"},
                                   {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
                                   {"KEYWARD_ARGON2_ITERATIONS", "5"}});
    suite->register_client(
        "spa", "SPA",
        {"--grant-types", "authorization_code,refresh_token", "--scopes",
         "openid profile email offline_access", "--public", "--redirect-uri",
         std::string(kSpaRedirect), "--post-logout-redirect-uri", "https://spa.example/bye"});
    suite->register_client(
        "first", "First",
        {"--grant-types", "password,refresh_token", "--scopes", "openid profile", "--first-party"});
    suite->register_client(
        "rs", "Resource server",
        {"--grant-types", "client_credentials", "--scopes", "introspect", "--introspect"});
    suite->register_client("admin", "Admin tool",
                           {"--grant-types", "client_credentials", "--scopes", "keyward:admin",
                            "--audience", *issuer_ + "/admin"});
    upstream_->register_client("keyward", std::string(kUpstreamSecret),
                               *issuer_ + "/federation/callback");
    const auto added = run_cli({"idp", "add", "--name", "upstream", "--issuer", upstream_->issuer(),
                                "--client-id", "keyward", "--client-secret-stdin", "--scopes",
                                "openid email profile", "--button-label", "Upstream"},
                               suite->env(), std::string(kUpstreamSecret));
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    suite->start();
    suite_ = suite;  // only a started suite runs tests
  }
  static void TearDownTestSuite() {
    if (suite_ != nullptr && ::testing::UnitTest::GetInstance()->failed_test_count() > 0) {
      const auto output = suite_->process().output();
      std::cerr << "--- keyward serve output (last 4000 bytes) ---\n"
                << output.substr(output.size() > 4000 ? output.size() - 4000 : 0) << "\n";
    }
    delete suite_;
    delete upstream_;
    delete sink_;
    delete issuer_;
    suite_ = nullptr;
    upstream_ = nullptr;
    sink_ = nullptr;
  }
  void SetUp() override {
    if (!TestDatabase::cluster_conninfo()) {
      GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    }
    // A suite that could not start fails every test (a skip would read as a pass).
    ASSERT_NE(suite_, nullptr) << "the suite's server did not start (see SetUpTestSuite)";
    upstream_->set_authorize_error(std::nullopt);
  }

  static TestDatabase& db() { return suite_->database(); }
  static const RegisteredClient& client(const std::string& key) { return suite_->client(key); }
  static std::string forwarded(const std::string& address) {
    return "X-Forwarded-For: " + address + "\r\n";
  }

  static std::string add_user(const std::string& name, const std::string& email = {}) {
    auto database = db().open();
    const std::string id = insert_user(
        database,
        storage::NewUser{name, email.empty() ? std::nullopt : std::optional<std::string>(email),
                         "Given", "Family", ""},
        kPassword);
    if (!email.empty()) db().exec("UPDATE users SET email_verified = true WHERE id = '" + id + "'");
    return id;
  }

  // The events matching `where` (SQL over the events table), oldest first; polls up to 10 s
  // until there are at least `at_least` (the writer batches asynchronously).
  static std::vector<EventRow> events(const std::string& where, size_t at_least = 1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      std::vector<EventRow> out;
      for (const auto& row :
           db().query("SELECT type, coalesce(user_id::text, ''), coalesce(client_id, ''),"
                      " coalesce(address, ''), coalesce(actor, ''), coalesce(request_id, ''),"
                      " detail::text FROM events WHERE " +
                      where + " ORDER BY id")) {
        out.push_back(
            EventRow{*row[0], *row[1], *row[2], *row[3], *row[4], *row[5], json::parse(*row[6])});
      }
      if (out.size() >= at_least || std::chrono::steady_clock::now() > deadline) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  // The one event of `type` from `address` (the test's own, so tests never see each
  // other's); fails when there is none or several.
  static EventRow one(const std::string& type, const std::string& address,
                      const std::string& more = "true") {
    const auto found =
        events("type = '" + type + "' AND address = '" + address + "' AND (" + more + ")");
    EXPECT_EQ(found.size(), 1u) << type << " from " << address << " where " << more;
    return found.empty() ? EventRow{} : found.front();
  }

  // No event of the whole table holds any of `secrets` in any column.
  static void expect_no_secret(const std::vector<std::string>& secrets) {
    const auto rows = db().query(
        "SELECT type, coalesce(user_id::text, '') || ' ' || coalesce(client_id, '') || ' ' ||"
        " coalesce(address, '') || ' ' || coalesce(actor, '') || ' ' || coalesce(request_id, '')"
        " || ' ' || detail::text FROM events");
    ASSERT_FALSE(rows.empty());
    for (const auto& secret : secrets) {
      ASSERT_GE(secret.size(), 8u) << "too short to look for: " << secret;
      for (const auto& row : rows) {
        EXPECT_EQ(row[1]->find(secret), std::string::npos)
            << "a " << *row[0] << " event holds a secret: " << *row[1];
      }
    }
  }

  static Response submit_login(Browser& b, const Response& page, std::string_view user,
                               std::string_view password = kPassword) {
    // The login form's own fields (the page has a provider button's form too).
    Params form = form_fields(page.body, "login");
    form.emplace_back("username", std::string(user));
    form.emplace_back("password", std::string(password));
    return b.post("/login", form);
  }
  static Params spa_request(const Pkce& pkce, const std::string& scope) {
    return {{"client_id", client("spa").id},
            {"redirect_uri", std::string(kSpaRedirect)},
            {"response_type", "code"},
            {"scope", scope},
            {"state", "s1"},
            {"nonce", "n1"},
            {"code_challenge", pkce.challenge},
            {"code_challenge_method", "S256"}};
  }
  // The SPA's code flow for `user` in `b` (sign-in when asked, consent when asked): the
  // code of the final redirect.
  static std::string spa_code(Browser& b, const Pkce& pkce, const std::string& user,
                              const std::string& scope = "openid profile offline_access") {
    Response r = b.get("/authorize?" + encode(spa_request(pkce, scope)));
    if (r.status == 200 && r.body.find("action=\"login\"") != std::string::npos) {
      const Response back = submit_login(b, r, user);
      EXPECT_EQ(back.status, 303) << back.body;
      r = b.follow(back);
    }
    if (r.status == 200 && r.body.find("action=\"consent\"") != std::string::npos) {
      Params form = hidden_fields(r.body);
      form.emplace_back("decision", "allow");
      r = b.post("/consent", form);
    }
    EXPECT_EQ(r.status / 100, 3) << r.body;
    const auto q = query_of(r.header("Location").value_or(""));
    return q.count("code") != 0 ? q.at("code") : "";
  }
  static Response exchange(const std::string& code, const Pkce& pkce, const std::string& from) {
    return post(port_, "/token",
                encode({{"grant_type", "authorization_code"},
                        {"code", code},
                        {"redirect_uri", std::string(kSpaRedirect)},
                        {"code_verifier", pkce.verifier},
                        {"client_id", client("spa").id}}),
                "application/x-www-form-urlencoded", forwarded(from));
  }
  static Response refresh(const std::string& token, const std::string& from) {
    return post(port_, "/token",
                encode({{"grant_type", "refresh_token"},
                        {"refresh_token", token},
                        {"client_id", client("spa").id}}),
                "application/x-www-form-urlencoded", forwarded(from));
  }

  // The account page's sign-in for `user` in `b`: the account page.
  static Response account_sign_in(Browser& b, const std::string& user,
                                  std::string_view password = kPassword) {
    const Response login = b.get("/account");
    const Response back = submit_login(b, login, user, password);
    EXPECT_EQ(back.status, 303) << back.body;
    return b.follow(back);
  }
  static Response act(Browser& b, const Response& page, const std::string& action,
                      Params extra = {}) {
    Params form = {{"csrf_token", csrf_of(page.body)}, {"action", action}};
    form.insert(form.end(), extra.begin(), extra.end());
    return b.post("/account", form);
  }

  // The account page's provider button, the upstream's instant approval, the callback.
  static Response through_upstream(Browser& b) {
    const Response login = b.get("/account");
    const Params button = form_fields(login.body, "federation/start");
    EXPECT_FALSE(button.empty()) << login.body;
    const Response to_upstream = b.post("/federation/start", button);
    EXPECT_EQ(to_upstream.status, 303) << to_upstream.body;
    const Response approved =
        get(upstream_->port(), target_of(to_upstream.header("Location").value_or("")));
    return b.get(target_of(approved.header("Location").value_or("")));
  }

  // The admin API as the admin client, from `from`.
  static Response admin_call(std::string_view method, const std::string& target,
                             const std::string& token, const std::string& from,
                             const std::optional<std::string>& body = {}) {
    std::string raw = std::string(method) + " /admin/v1" + target +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n" +
                      forwarded(from);
    raw += "Content-Type: application/json\r\n";
    raw += "Content-Length: " + std::to_string(body ? body->size() : 0) + "\r\n\r\n";
    if (body) raw += *body;
    Connection c(port_);
    return c.request(raw);
  }

  static MailSink* sink_;
  static UpstreamProvider* upstream_;
  static SuiteServer* suite_;
  static uint16_t port_;
  static std::string* issuer_;
};
MailSink* AuditEvents::sink_ = nullptr;
UpstreamProvider* AuditEvents::upstream_ = nullptr;
SuiteServer* AuditEvents::suite_ = nullptr;
uint16_t AuditEvents::port_ = 0;
std::string* AuditEvents::issuer_ = nullptr;

// ---- Browser sign-in, consent, the code grant, replay, refresh, reuse, logout ----

TEST_F(AuditEvents, TheCodeFlowReportsSignInConsentTokensReplayReuseAndLogout) {
  const std::string alice = add_user("alice");
  const std::string spa = client("spa").id;
  const std::string from = "10.31.1.1";
  Browser b(port_, from);
  Pkce pkce;
  const std::string code = spa_code(b, pkce, "alice");
  ASSERT_FALSE(code.empty());

  const EventRow signed_in = one("sign_in", from);
  EXPECT_EQ(signed_in.user_id, alice);
  EXPECT_EQ(signed_in.client_id, spa);
  EXPECT_EQ(signed_in.actor, "");
  EXPECT_FALSE(signed_in.request_id.empty());
  EXPECT_EQ(signed_in.detail["method"], "password");
  const EventRow consent = one("consent_given", from);
  EXPECT_EQ(consent.user_id, alice);
  EXPECT_EQ(consent.client_id, spa);
  EXPECT_EQ(consent.detail["scope"], "offline_access openid profile");

  const Response tokens = exchange(code, pkce, "10.31.1.2");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  const EventRow issued = one("token_issued", "10.31.1.2");
  EXPECT_EQ(issued.user_id, alice);
  EXPECT_EQ(issued.client_id, spa);
  EXPECT_EQ(issued.detail["grant"], "authorization_code");
  EXPECT_EQ(issued.detail["scope"], "offline_access openid profile");
  EXPECT_EQ(issued.detail["refresh_token"], true);
  EXPECT_EQ(issued.detail["id_token"], true);

  // The same code again: replayed, its grant revoked.
  EXPECT_EQ(exchange(code, pkce, "10.31.1.3").status, 400);
  const EventRow replayed = one("code_replayed", "10.31.1.3");
  EXPECT_EQ(replayed.user_id, alice);
  EXPECT_EQ(replayed.client_id, spa);
  EXPECT_EQ(replayed.detail["grant_revoked"], true);
  EXPECT_TRUE(replayed.detail["grant_id"].is_string());

  // A second authorization (consent remembered: no second consent_given), a refresh, and
  // the rotated refresh token once more.
  Pkce pkce2;
  const std::string code2 = spa_code(b, pkce2, "alice");
  const Response second = exchange(code2, pkce2, "10.31.1.4");
  ASSERT_EQ(second.status, 200) << second.body;
  // Events are written in order: once the token's is there, a second consent would be too.
  EXPECT_EQ(one("token_issued", "10.31.1.4").user_id, alice);
  EXPECT_EQ(events("type = 'consent_given' AND address = '" + from + "'").size(), 1u);
  const std::string refresh_token = second.json()["refresh_token"];
  const Response refreshed = refresh(refresh_token, "10.31.1.5");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const EventRow by_refresh = one("token_issued", "10.31.1.5");
  EXPECT_EQ(by_refresh.user_id, alice);
  EXPECT_EQ(by_refresh.detail["grant"], "refresh_token");
  EXPECT_EQ(by_refresh.detail["refresh_token"], true);
  EXPECT_EQ(by_refresh.detail["id_token"], false);
  EXPECT_EQ(refresh(refresh_token, "10.31.1.6").status, 400);
  const EventRow reuse = one("refresh_reuse_detected", "10.31.1.6");
  EXPECT_EQ(reuse.user_id, alice);
  EXPECT_EQ(reuse.client_id, spa);
  EXPECT_EQ(reuse.detail["grant_revoked"], true);

  // Signing out with the ID token as the hint: logout, naming the client.
  const std::string id_token = second.json()["id_token"];
  const Response out = b.get("/logout?" + encode({{"id_token_hint", id_token}}));
  EXPECT_EQ(out.status, 200) << out.body;
  const EventRow logout = one("logout", from);
  EXPECT_EQ(logout.user_id, alice);
  EXPECT_EQ(logout.client_id, spa);

  expect_no_secret({std::string(kPassword), code, code2, pkce.verifier, pkce2.verifier,
                    tokens.json()["access_token"], tokens.json()["refresh_token"],
                    tokens.json()["id_token"], refresh_token, refreshed.json()["access_token"],
                    refreshed.json()["refresh_token"], id_token});
}

TEST_F(AuditEvents, FailedAndThrottledSignInsNameOnlyExistingUsers) {
  const std::string bea = add_user("bea");
  const std::string tess = add_user("tess");
  const std::string dora = add_user("dora");
  db().exec("UPDATE users SET disabled = true WHERE id = '" + dora + "'");
  const std::string spa = client("spa").id;
  Pkce pkce;

  Browser wrong(port_, "10.31.2.1");
  const Response page = wrong.get("/authorize?" + encode(spa_request(pkce, "openid")));
  EXPECT_EQ(submit_login(wrong, page, "bea", "not bea's password 9").status, 200);
  const EventRow bad = one("sign_in_failed", "10.31.2.1");
  EXPECT_EQ(bad.user_id, bea);
  EXPECT_EQ(bad.client_id, spa);
  EXPECT_EQ(bad.detail["reason"], "bad_credentials");
  EXPECT_EQ(bad.detail["method"], "password");

  // An unknown name may be a password typed in the wrong field: neither it nor an id.
  Browser unknown(port_, "10.31.2.2");
  const Response page2 = unknown.get("/authorize?" + encode(spa_request(pkce, "openid")));
  EXPECT_EQ(submit_login(unknown, page2, "Hunter2-Typed-As-Name", "whatever pass 1").status, 200);
  const EventRow nobody = one("sign_in_failed", "10.31.2.2");
  EXPECT_EQ(nobody.user_id, "");
  EXPECT_EQ(nobody.detail["reason"], "bad_credentials");

  Browser disabled(port_, "10.31.2.3");
  const Response page3 = disabled.get("/authorize?" + encode(spa_request(pkce, "openid")));
  EXPECT_EQ(submit_login(disabled, page3, "dora").status, 200);
  const EventRow refused = one("sign_in_failed", "10.31.2.3");
  EXPECT_EQ(refused.user_id, dora);
  EXPECT_EQ(refused.detail["reason"], "disabled");

  // Five failures in a row block the account; the sixth attempt is throttled unchecked.
  Browser guesser(port_, "10.31.2.4");
  for (int i = 0; i < 5; ++i) {
    const Response login = guesser.get("/account");
    EXPECT_EQ(submit_login(guesser, login, "tess", "guess number " + std::to_string(i)).status,
              200);
  }
  const Response login = guesser.get("/account");
  EXPECT_EQ(submit_login(guesser, login, "tess", "guess number 5").status, 429);
  const EventRow throttled = one("sign_in_throttled", "10.31.2.4");
  EXPECT_EQ(throttled.user_id, tess);
  EXPECT_EQ(throttled.client_id, "");
  EXPECT_GE(throttled.detail["retry_after"].get<int>(), 1);
  EXPECT_EQ(events("type = 'sign_in_failed' AND address = '10.31.2.4'").size(), 5u);

  expect_no_secret({"not bea's password 9", "Hunter2-Typed-As-Name", "whatever pass 1",
                    std::string(kPassword), "guess number 5"});
}

// ---- The token endpoint: the password grant, client credentials, client authentication ----

TEST_F(AuditEvents, TheTokenEndpointReportsGrantsAndFailedClientAuthentication) {
  const std::string carl = add_user("carl");
  const auto& first = client("first");
  const Response ropc = post(port_, "/token",
                             encode({{"grant_type", "password"},
                                     {"username", "carl"},
                                     {"password", std::string(kPassword)},
                                     {"scope", "openid profile"}}),
                             "application/x-www-form-urlencoded",
                             basic_authorization(first.id, first.secret) + forwarded("10.31.3.1"));
  ASSERT_EQ(ropc.status, 200) << ropc.body;
  const EventRow signed_in = one("sign_in", "10.31.3.1");
  EXPECT_EQ(signed_in.user_id, carl);
  EXPECT_EQ(signed_in.client_id, first.id);
  EXPECT_EQ(signed_in.detail["method"], "password");
  const EventRow issued = one("token_issued", "10.31.3.1");
  EXPECT_EQ(issued.user_id, carl);
  EXPECT_EQ(issued.client_id, first.id);
  EXPECT_EQ(issued.detail["grant"], "password");
  EXPECT_EQ(issued.detail["refresh_token"], true);

  EXPECT_EQ(post(port_, "/token",
                 encode({{"grant_type", "password"},
                         {"username", "carl"},
                         {"password", "carl's wrong password"}}),
                 "application/x-www-form-urlencoded",
                 basic_authorization(first.id, first.secret) + forwarded("10.31.3.2"))
                .status,
            400);
  const EventRow failed = one("sign_in_failed", "10.31.3.2");
  EXPECT_EQ(failed.user_id, carl);
  EXPECT_EQ(failed.client_id, first.id);

  const auto& rs = client("rs");
  const Response cc =
      post(port_, "/token", "grant_type=client_credentials", "application/x-www-form-urlencoded",
           basic_authorization(rs.id, rs.secret) + forwarded("10.31.3.3"));
  ASSERT_EQ(cc.status, 200) << cc.body;
  const EventRow machine = one("token_issued", "10.31.3.3");
  EXPECT_EQ(machine.user_id, "");
  EXPECT_EQ(machine.client_id, rs.id);
  EXPECT_EQ(machine.detail["grant"], "client_credentials");
  EXPECT_EQ(machine.detail["scope"], "introspect");
  EXPECT_EQ(machine.detail["refresh_token"], false);

  // A wrong secret at each of the three endpoints, and an unknown client (not named).
  const std::string wrong_secret = "definitely-not-the-secret-of-rs";
  int n = 0;
  for (const std::string path : {"/token", "/introspect", "/revoke"}) {
    const std::string from = "10.31.3." + std::to_string(10 + n++);
    const std::string body = path == "/token" ? "grant_type=client_credentials" : "token=abc";
    EXPECT_EQ(post(port_, path, body, "application/x-www-form-urlencoded",
                   basic_authorization(rs.id, wrong_secret) + forwarded(from))
                  .status,
              401);
    const EventRow refused = one("client_auth_failed", from);
    EXPECT_EQ(refused.client_id, rs.id) << path;
    EXPECT_EQ(refused.detail["endpoint"], path);
    EXPECT_EQ(refused.detail["reason"], "wrong_secret");
  }
  EXPECT_EQ(
      post(port_, "/token", "grant_type=client_credentials", "application/x-www-form-urlencoded",
           basic_authorization("Made-Up-Client-Id-7", wrong_secret) + forwarded("10.31.3.20"))
          .status,
      401);
  const EventRow unknown = one("client_auth_failed", "10.31.3.20");
  EXPECT_EQ(unknown.client_id, "");
  EXPECT_EQ(unknown.detail["reason"], "unknown_client");

  expect_no_secret({std::string(kPassword), "carl's wrong password", rs.secret, first.secret,
                    wrong_secret, "Made-Up-Client-Id-7", ropc.json()["access_token"],
                    ropc.json()["refresh_token"], cc.json()["access_token"]});
}

// ---- The account page, sign-up and password reset ----

TEST_F(AuditEvents, TheAccountPageSignUpAndResetReportWhatChanged) {
  const std::string erin = add_user("erin", "erin@example.com");
  const std::string from = "10.31.4.1";
  Browser b(port_, from);
  // A consent to revoke later.
  Pkce pkce;
  const std::string code = spa_code(b, pkce, "erin", "openid profile");
  ASSERT_FALSE(code.empty());
  const Response page = b.get("/account");
  ASSERT_EQ(page.status, 200);

  Response r = act(b, page, "profile",
                   {{"given_name", "Erin"},
                    {"family_name", "Family"},
                    {"email", "erin.new@example.com"},
                    {"current_password", std::string(kPassword)}});
  EXPECT_EQ(r.status, 303) << r.body;
  const EventRow changed = one("user_changed", from);
  EXPECT_EQ(changed.user_id, erin);
  EXPECT_EQ(changed.actor, "");
  EXPECT_EQ(changed.detail["fields"], json::array({"given_name", "email"}));

  r = act(b, b.get("/account"), "password",
          {{"current_password", std::string(kPassword)},
           {"new_password", std::string(kNewPassword)},
           {"confirm_password", std::string(kNewPassword)}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(one("password_changed", from).user_id, erin);

  r = act(b, b.get("/account"), "revoke_application", {{"client_id", client("spa").id}});
  EXPECT_EQ(r.status, 303) << r.body;
  const EventRow revoked = one("consent_revoked", from);
  EXPECT_EQ(revoked.user_id, erin);
  EXPECT_EQ(revoked.client_id, client("spa").id);

  r = act(b, b.get("/account"), "delete_account", {{"password", std::string(kNewPassword)}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(one("user_deleted", from).user_id, erin);

  // Sign-up.
  Browser newcomer(port_, "10.31.4.2");
  const Response signup = newcomer.get("/signup");
  Params form = hidden_fields(signup.body);
  for (const auto& field : Params{{"username", "sigrid"},
                                  {"email", "sigrid@example.com"},
                                  {"given_name", "Sigrid"},
                                  {"family_name", "Undset"},
                                  {"password", std::string(kPassword)}}) {
    form.push_back(field);
  }
  EXPECT_EQ(newcomer.post("/signup", form).status, 303);
  const EventRow created = one("user_created", "10.31.4.2");
  EXPECT_EQ(created.user_id,
            db().scalar("SELECT id::text FROM users WHERE username = 'sigrid'").value_or("?"));
  EXPECT_EQ(created.detail["method"], "signup");

  // Recovery by mail, then the reset.
  const std::string rita = add_user("rita", "rita@example.com");
  Browser forgetful(port_, "10.31.4.3");
  const Response recover = forgetful.get("/recover");
  Params ask = hidden_fields(recover.body);
  ask.emplace_back("account", "rita");
  EXPECT_EQ(forgetful.post("/recover", ask).status, 200);
  const auto mail = sink_->next_for("rita@example.com");
  ASSERT_TRUE(mail.has_value());
  const std::string link = link_in(mail->text, *issuer_ + "/reset?token=");
  ASSERT_FALSE(link.empty()) << mail->text;
  const Response reset_page = forgetful.get(link.substr(issuer_->size()));
  Params reset = hidden_fields(reset_page.body);
  reset.emplace_back("password", std::string(kNewPassword));
  EXPECT_EQ(forgetful.post("/reset", reset).status, 200);
  const EventRow was_reset = one("password_reset", "10.31.4.3");
  EXPECT_EQ(was_reset.user_id, rita);

  expect_no_secret({std::string(kPassword), std::string(kNewPassword), code,
                    link.substr(link.find("token=") + 6)});
}

// ---- Federated sign-in ----

TEST_F(AuditEvents, FederationReportsSignUpLinksSignInsRefusalsAndUnlinking) {
  // A first sign-in creates and links a user.
  upstream_->set_user({.sub = "audit-fed-1", .email = "fred@example.com"});
  Browser b(port_, "10.31.5.1");
  const Response back = through_upstream(b);
  ASSERT_EQ(back.status, 303) << back.body;
  const std::string fred =
      db().scalar("SELECT user_id::text FROM federated_identities WHERE subject = 'audit-fed-1'")
          .value_or("?");
  const EventRow created = one("user_created", "10.31.5.1");
  EXPECT_EQ(created.user_id, fred);
  EXPECT_EQ(created.detail["method"], "federated");
  EXPECT_EQ(created.detail["provider"], "upstream");
  EXPECT_EQ(one("federated_identity_linked", "10.31.5.1").user_id, fred);
  const EventRow signed_in = one("sign_in", "10.31.5.1");
  EXPECT_EQ(signed_in.user_id, fred);
  EXPECT_EQ(signed_in.detail["method"], "federated");
  EXPECT_EQ(signed_in.detail["provider"], "upstream");

  // Cancelled upstream: a failure, for no user.
  upstream_->set_authorize_error("access_denied");
  Browser c(port_, "10.31.5.2");
  EXPECT_EQ(through_upstream(c).status, 200);
  const EventRow cancelled = one("sign_in_failed", "10.31.5.2");
  EXPECT_EQ(cancelled.user_id, "");
  EXPECT_EQ(cancelled.detail["method"], "federated");
  EXPECT_EQ(cancelled.detail["reason"], "upstream");
  upstream_->set_authorize_error(std::nullopt);

  // The linked user disabled: refused, naming them.
  db().exec("UPDATE users SET disabled = true WHERE id = '" + fred + "'");
  Browser d(port_, "10.31.5.3");
  EXPECT_EQ(through_upstream(d).status, 403);
  const EventRow refused = one("sign_in_failed", "10.31.5.3");
  EXPECT_EQ(refused.user_id, fred);
  EXPECT_EQ(refused.detail["reason"], "disabled");
  EXPECT_EQ(refused.detail["provider"], "upstream");

  // A verified address of an existing user: linked with their password, then unlinked on
  // the account page.
  const std::string gwen = add_user("gwen", "gwen@example.com");
  upstream_->set_user({.sub = "audit-fed-2", .email = "gwen@example.com"});
  Browser e(port_, "10.31.5.4");
  const Response confirm = through_upstream(e);
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  Params link = form_fields(confirm.body, "../federation/link");
  ASSERT_FALSE(link.empty()) << confirm.body;
  Params wrong = link;
  wrong.emplace_back("password", "not gwen's password");
  const Response refused_link = e.post("/federation/link", wrong);
  EXPECT_EQ(refused_link.status, 200);
  const EventRow guessed = one("sign_in_failed", "10.31.5.4");
  EXPECT_EQ(guessed.user_id, gwen);
  EXPECT_EQ(guessed.detail["reason"], "bad_credentials");
  link = form_fields(refused_link.body, "../federation/link");
  link.emplace_back("password", std::string(kPassword));
  ASSERT_EQ(e.post("/federation/link", link).status, 303);
  EXPECT_EQ(one("federated_identity_linked", "10.31.5.4").user_id, gwen);
  EXPECT_EQ(one("sign_in", "10.31.5.4").user_id, gwen);
  const Response account = e.get("/account");
  const Response unlinked = act(e, account, "unlink_provider", {{"provider", "upstream"}});
  EXPECT_EQ(unlinked.status, 303) << unlinked.body;
  const EventRow gone = one("federated_identity_unlinked", "10.31.5.4");
  EXPECT_EQ(gone.user_id, gwen);
  EXPECT_EQ(gone.detail["provider"], "upstream");

  expect_no_secret({std::string(kUpstreamSecret), std::string(kPassword), "not gwen's password"});
}

// ---- Operators: the admin API and the CLI; dynamic registration; keys ----

TEST_F(AuditEvents, TheAdminApiReportsChangesAsItsClient) {
  const auto& admin = client("admin");
  const Response t =
      post(port_, "/token", "grant_type=client_credentials", "application/x-www-form-urlencoded",
           basic_authorization(admin.id, admin.secret) + forwarded("10.31.6.9"));
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string token = t.json()["access_token"];
  const std::string actor = "admin:" + admin.id;
  const std::string from = "10.31.6.1";

  const Response created = admin_call("POST", "/clients", token, from,
                                      json{{"client_name", "Made by admin"},
                                           {"grant_types", {"client_credentials"}},
                                           {"scope", "read"}}
                                          .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["client_id"];
  const std::string secret = created.json()["client_secret"];
  const EventRow made = one("client_created", from);
  EXPECT_EQ(made.client_id, id);
  EXPECT_EQ(made.actor, actor);
  EXPECT_EQ(
      admin_call("PATCH", "/clients/" + id, token, from, json{{"may_introspect", true}}.dump())
          .status,
      200);
  EXPECT_EQ(one("client_changed", from, "detail->'fields' ? 'may_introspect'").actor, actor);
  {
    // The second of an update's two writes fails (a trigger stands in for a storage failure
    // or a concurrent change): the first, stored, is still audited.
    db().exec(
        "CREATE FUNCTION audit_test_refuse_introspect() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF NEW.client_id = '" +
        id +
        "' AND NEW.may_introspect IS DISTINCT FROM OLD.may_introspect THEN"
        " RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;"
        " CREATE TRIGGER audit_test_refuse_introspect BEFORE UPDATE ON clients FOR EACH ROW"
        " EXECUTE FUNCTION audit_test_refuse_introspect()");
    const Response half = admin_call("PATCH", "/clients/" + id, token, from,
                                     json{{"first_party", true}, {"may_introspect", false}}.dump());
    db().exec(
        "DROP TRIGGER audit_test_refuse_introspect ON clients;"
        " DROP FUNCTION audit_test_refuse_introspect()");
    EXPECT_GE(half.status, 500) << half.body;
    EXPECT_EQ(one("client_changed", from, "detail->'fields' = '[\"first_party\"]'::jsonb").actor,
              actor);
  }
  const Response rotated = admin_call("POST", "/clients/" + id + "/secret", token, from, "{}");
  EXPECT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(one("client_changed", from, "detail->'fields' ? 'client_secret'").client_id, id);
  EXPECT_EQ(admin_call("DELETE", "/clients/" + id, token, from).status, 204);
  EXPECT_EQ(one("client_deleted", from).actor, actor);

  const Response user =
      admin_call("POST", "/users", token, from,
                 json{{"username", "opal"}, {"password", "opal's first password"}}.dump());
  ASSERT_EQ(user.status, 201) << user.body;
  const std::string opal = user.json()["id"];
  const EventRow user_made = one("user_created", from);
  EXPECT_EQ(user_made.user_id, opal);
  EXPECT_EQ(user_made.actor, actor);
  EXPECT_EQ(admin_call("PATCH", "/users/" + opal, token, from, json{{"given_name", "Opal"}}.dump())
                .status,
            200);
  EXPECT_EQ(one("user_changed", from, "detail->'fields' ? 'given_name'").detail["fields"],
            json::array({"given_name"}));
  EXPECT_EQ(admin_call("POST", "/users/" + opal + "/disable", token, from, "{}").status, 200);
  EXPECT_EQ(one("user_changed", from, "detail->'fields' ? 'disabled'").user_id, opal);
  EXPECT_EQ(admin_call("POST", "/users/" + opal + "/password", token, from,
                       json{{"password", "opal's second password"}}.dump())
                .status,
            200);
  EXPECT_EQ(one("password_changed", from).actor, actor);
  EXPECT_EQ(admin_call("DELETE", "/users/" + opal, token, from).status, 204);
  EXPECT_EQ(one("user_deleted", from).user_id, opal);

  const Response key = admin_call("POST", "/keys/rotate", token, from, "{}");
  ASSERT_EQ(key.status / 100, 2) << key.body;
  const EventRow rotated_key = one("key_rotated", from);
  EXPECT_EQ(rotated_key.actor, actor);
  EXPECT_TRUE(rotated_key.detail["kid"].is_string());

  expect_no_secret({token, secret, rotated.json()["client_secret"], admin.secret,
                    "opal's first password", "opal's second password"});
}

TEST_F(AuditEvents, TheCliDynamicRegistrationAndTheServerItselfReportAsThemselves) {
  // The first signing key, made by the server at its first start.
  const auto first_key = events("type = 'key_rotated' AND actor = 'system'");
  ASSERT_FALSE(first_key.empty());
  EXPECT_EQ(first_key.front().detail["reason"], "first_key");

  // `keyward client create` (the suite's own clients) and `keyward keys rotate`.
  const auto cli_clients = events("type = 'client_created' AND actor = 'cli' AND client_id = '" +
                                  client("spa").id + "'");
  EXPECT_EQ(cli_clients.size(), 1u);
  const auto rotated = run_cli({"keys", "rotate", "--alg", "ES256"}, suite_->env());
  EXPECT_EQ(rotated.exit_code, 0) << rotated.out << rotated.err;
  EXPECT_EQ(events("type = 'key_rotated' AND actor = 'cli'").size(), 1u);
  const auto user = run_cli({"user", "create", "--username", "cliff", "--password-stdin"},
                            suite_->env(), "cliff's cli password\n");
  EXPECT_EQ(user.exit_code, 0) << user.out << user.err;
  const auto cliff = events(
      "type = 'user_created' AND actor = 'cli' AND user_id = (SELECT id FROM users WHERE"
      " username = 'cliff')");
  EXPECT_EQ(cliff.size(), 1u);

  // Dynamic registration (open): the client registers, reads, changes and deletes itself.
  const std::string from = "10.31.7.1";
  const std::string metadata =
      json{{"client_name", "Registered"}, {"redirect_uris", {"https://rp.example/cb"}}}.dump();
  const Response registered =
      post(port_, "/register", metadata, "application/json", forwarded(from));
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string id = registered.json()["client_id"];
  const std::string access = registered.json()["registration_access_token"];
  const EventRow made = one("client_created", from);
  EXPECT_EQ(made.client_id, id);
  EXPECT_EQ(made.actor, "registration");
  EXPECT_EQ(made.detail["registration"], "open");

  auto with_token = [&](std::string_view method, const std::optional<std::string>& body,
                        const std::string& bearer) {
    std::string raw = std::string(method) + " /register/" + id +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + bearer + "\r\n" +
                      forwarded(from);
    if (body) {
      raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body->size()) +
             "\r\n\r\n" + *body;
    } else {
      raw += "\r\n";
    }
    Connection c(port_);
    return c.request(raw);
  };
  const Response updated = with_token("PUT",
                                      json{{"client_id", id},
                                           {"client_name", "Registered, renamed"},
                                           {"redirect_uris", {"https://rp.example/cb"}}}
                                          .dump(),
                                      access);
  ASSERT_EQ(updated.status, 200) << updated.body;
  const EventRow changed = one("client_changed", from);
  EXPECT_EQ(changed.client_id, id);
  EXPECT_EQ(changed.actor, "registration");
  EXPECT_EQ(changed.detail["fields"], json::array({"client_name"}));
  const std::string access2 = updated.json()["registration_access_token"];
  EXPECT_EQ(with_token("DELETE", std::nullopt, access2).status, 204);
  EXPECT_EQ(one("client_deleted", from).client_id, id);

  std::vector<std::string> secrets = {access, access2, "cliff's cli password"};
  if (registered.json().contains("client_secret")) {
    secrets.push_back(registered.json()["client_secret"]);
  }
  expect_no_secret(secrets);
}

// Each test above runs in a process (and on a database) of its own, so none can see
// another's rows; together they assert every type of the contract. A type added to
// audit/event.h fails here until a flow above asserts it and it is listed.
TEST(AuditEventTypes, EveryTypeOfTheContractIsAssertedAbove) {
  const std::set<std::string> asserted = {"sign_in",
                                          "sign_in_failed",
                                          "sign_in_throttled",
                                          "token_issued",
                                          "client_auth_failed",
                                          "refresh_reuse_detected",
                                          "code_replayed",
                                          "consent_given",
                                          "consent_revoked",
                                          "logout",
                                          "password_changed",
                                          "password_reset",
                                          "user_created",
                                          "user_changed",
                                          "user_deleted",
                                          "client_created",
                                          "client_changed",
                                          "client_deleted",
                                          "key_rotated",
                                          "federated_identity_linked",
                                          "federated_identity_unlinked"};
  std::set<std::string> contract;
  for (const auto type : audit::all_types()) contract.insert(std::string(audit::type_name(type)));
  EXPECT_EQ(contract, asserted);
}

}  // namespace
}  // namespace keyward::test
