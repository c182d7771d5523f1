// Federated sign-in end to end over loopback, with a real upstream: a second Keyward
// instance (its own database, its own keys) is the OpenID provider, and the Keyward under
// test is its relying party, registered there with `keyward client create` (redirect URI
// {issuer}/federation/callback) and given the upstream with `keyward idp add`. A browser
// (one cookie jar per host, as a real one keeps) walks the login page's provider button,
// the upstream's login and consent pages, the callback, Keyward's consent page and the
// client's code exchange; the ID token Keyward issues must carry Keyward's own sub,
// amr ["fed"] and the federated sign-in's auth_time. Every refusal the issue lists is
// asserted with what it must not change: state mismatch, replay, a missing or another
// browser's binding cookie, a cancellation upstream, registration closed, the linking
// rules (a verified address asks for the Keyward password; an unverified one never links),
// a disabled user, and unlinking the last way to sign in.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "common/base64url.h"
#include "common/crypto.h"
#include "grants/pkce.h"
#include "storage/database.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/child_process.h"
#include "tests/http/support/cli_run.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/http/support/suite_server.h"
#include "tests/integration/support/test_database.h"

extern char** environ;

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMasterKey =
    "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kAppRedirect = "https://app.example/cb";
constexpr std::string_view kExpired =
    "That sign-in attempt expired or was already used. Start again.";

// `keyward <args>` with `input` on stdin (the client secret of `idp add`): its exit code
// and everything it printed.
std::pair<int, std::string> keyward_with_stdin(const std::vector<std::string>& args, const Env& env,
                                               const std::string& input) {
  auto run = run_cli(args, env, input);
  return {run.exit_code, run.out + run.err};
}

// A Keyward whose issuer is its real loopback address (the upstream's discovery must name
// it; the downstream's redirect URI is built from it).
struct Instance {
  explicit Instance(Env extra = {}) : port(free_port()) {
    issuer = "http://127.0.0.1:" + std::to_string(port);
    Env env = {{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
               {"KEYWARD_ISSUER", issuer},
               {"KEYWARD_LISTEN", "127.0.0.1:" + std::to_string(port)},
               {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
               {"KEYWARD_ARGON2_ITERATIONS", "5"}};
    for (auto& [k, v] : extra) env[k] = v;
    server = std::make_unique<SuiteServer>(env);
  }
  uint16_t port;
  std::string issuer;
  std::unique_ptr<SuiteServer> server;
};

// The path and query of an absolute URL on 127.0.0.1 (what a browser would request there).
std::string target_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

uint16_t port_of(const std::string& url) {
  static const std::regex port(R"(^http://127\.0\.0\.1:(\d+)/)");
  std::smatch m;
  if (!std::regex_search(url, m, port)) return 0;
  return static_cast<uint16_t>(std::stoi(m[1]));
}

// The hidden fields of the page's form whose action is `action`.
Params form_fields(const std::string& html, std::string_view action) {
  const std::string open = "action=\"" + std::string(action) + "\"";
  const auto start = html.find(open);
  if (start == std::string::npos) return {};
  const auto end = html.find("</form>", start);
  return hidden_fields(html.substr(start, end - start));
}

json id_token_claims(const std::string& id_token) {
  const auto first = id_token.find('.');
  const auto second = id_token.find('.', first + 1);
  auto payload = base64url_decode(id_token.substr(first + 1, second - first - 1));
  return payload ? json::parse(*payload) : json();
}

struct Pkce {
  std::string verifier = random_token(48);
  std::string challenge = grants::pkce_s256_challenge(verifier);
};

class Federation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    upstream_ = new Instance();
    open_ = new Instance(Env{{"KEYWARD_REGISTRATION", "open"}});
    closed_ = new Instance();

    // The upstream's users: the addresses its ID tokens vouch for (email_verified) or not.
    auto up_db = upstream_->server->database().open();
    for (const auto& [name, email, verified] :
         std::vector<std::tuple<std::string, std::string, bool>>{
             {"ann", "ann@example.com", true},
             {"bert", "bert@example.com", true},
             {"cleo", "cleo@example.com", true},
             {"dave", "dave@example.com", false},
             {"erin", "erin@example.com", true},
             {"fay", "fay@example.com", true},
             {"gus", "gus@example.com", true},
             {"hal", "hal@example.com", true},
             {"ivy", "ivy@example.com", true}}) {
      insert_user(up_db, storage::NewUser{name, email, std::nullopt, std::nullopt, std::nullopt},
                  kPassword);
      if (verified) {
        upstream_->server->database().exec(
            "UPDATE users SET email_verified = true WHERE username = '" + name + "'");
      }
    }
    // Keyward's own users, with Keyward passwords: cleo and dave have the addresses the
    // upstream's cleo and dave claim (verified here).
    for (Instance* down : {open_, closed_}) {
      auto db = down->server->database().open();
      insert_user(db,
                  storage::NewUser{"cleo-here", "cleo@example.com", std::nullopt, std::nullopt,
                                   std::nullopt},
                  "cleo's keyward password");
      insert_user(db,
                  storage::NewUser{"dave-here", "dave@example.com", std::nullopt, std::nullopt,
                                   std::nullopt},
                  "dave's keyward password");
      down->server->database().exec("UPDATE users SET email_verified = true");
    }

    // Each downstream is a confidential client of the upstream, and the upstream is its
    // provider.
    for (Instance* down : {open_, closed_}) {
      upstream_->server->register_client(
          down->issuer, "Keyward downstream",
          {"--grant-types", "authorization_code", "--scopes", "openid email profile",
           "--redirect-uri", down->issuer + "/federation/callback"});
      const auto& client = upstream_->server->client(down->issuer);
      down->server->register_client(
          "app", "The App",
          {"--grant-types", "authorization_code", "--scopes", "openid profile email", "--public",
           "--redirect-uri", std::string(kAppRedirect)});
      idp_clients_.push_back(client);
    }
    upstream_->server->start();
    for (size_t i = 0; i < 2; ++i) {
      Instance* down = i == 0 ? open_ : closed_;
      const auto [code, output] = keyward_with_stdin(
          {"idp", "add", "--name", "upstream", "--issuer", upstream_->issuer, "--client-id",
           idp_clients_[i].id, "--client-secret-stdin", "--scopes", "openid email profile",
           "--button-label", "Upstream Keyward"},
          down->server->env(), idp_clients_[i].secret + "\n");
      ASSERT_EQ(code, 0) << output;
      down->server->start();
    }
  }
  static void TearDownTestSuite() {
    delete open_;
    delete closed_;
    delete upstream_;
    open_ = closed_ = upstream_ = nullptr;
    idp_clients_.clear();
  }
  void SetUp() override {
    if (upstream_ == nullptr)
      GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
  }

  static Params app_request(Instance& down, const Pkce& pkce) {
    return {{"client_id", down.server->client("app").id},
            {"redirect_uri", std::string(kAppRedirect)},
            {"response_type", "code"},
            {"scope", "openid profile email"},
            {"state", "app-state"},
            {"nonce", "app-nonce"},
            {"code_challenge", pkce.challenge},
            {"code_challenge_method", "S256"}};
  }

  // One person at one address: a cookie jar per host.
  struct Person {
    Browser down;
    Browser up;
  };
  static Person person(Instance& down, const std::string& address) {
    return Person{Browser(down.port, address), Browser(upstream_->port, address)};
  }

  // From the downstream's login page through the provider button to the upstream's
  // authorize: the 303 to the upstream.
  static Response start(Person& p, Instance& down, const Pkce& pkce, const Params& extra = {}) {
    Params request = app_request(down, pkce);
    request.insert(request.end(), extra.begin(), extra.end());
    Response page = p.down.get("/authorize?" + encode(request));
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("Sign in with Upstream Keyward"), std::string::npos) << page.body;
    Params button = form_fields(page.body, "federation/start");
    EXPECT_FALSE(button.empty()) << page.body;
    Response r = p.down.post("/federation/start", button);
    EXPECT_EQ(r.status, 303) << r.body;
    return r;
  }

  // At the upstream: its login page, then consent unless remembered; the redirect back to
  // the downstream's callback (or the upstream's error redirect when `decision` is deny).
  static Response upstream_sign_in(Person& p, const Response& to_upstream, const std::string& user,
                                   const std::string& decision = "allow") {
    const std::string location = to_upstream.header("Location").value_or("");
    EXPECT_EQ(port_of(location), upstream_->port) << location;
    Response r = p.up.get(target_of(location));
    if (r.status == 200 && r.body.find("action=\"login\"") != std::string::npos) {
      Params form = hidden_fields(r.body);
      form.emplace_back("username", user);
      form.emplace_back("password", std::string(kPassword));
      Response back = p.up.post("/login", form);
      EXPECT_EQ(back.status, 303) << back.body;
      r = p.up.follow(back);
    }
    if (r.status == 200 && r.body.find("action=\"consent\"") != std::string::npos) {
      Params form = hidden_fields(r.body);
      form.emplace_back("decision", decision);
      r = p.up.post("/consent", form);
    }
    EXPECT_TRUE(r.status == 302 || r.status == 303) << r.status_line << r.body;
    return r;
  }

  // The upstream's redirect, delivered to the downstream's callback.
  static Response callback(Person& p, Instance& down, const Response& from_upstream) {
    const std::string location = from_upstream.header("Location").value_or("");
    EXPECT_EQ(location.rfind(down.issuer + "/federation/callback?", 0), 0u) << location;
    return p.down.get(target_of(location));
  }

  // After the callback signed the browser in: back to /authorize, consent, the code, the
  // token response.
  static json finish_at_app(Person& p, Instance& down, const Response& signed_in,
                            const Pkce& pkce) {
    EXPECT_EQ(signed_in.status, 303) << signed_in.body;
    const std::string location = signed_in.header("Location").value_or("");
    EXPECT_EQ(location.rfind("../authorize?", 0), 0u) << location;
    Response r = p.down.get(location.substr(2));
    if (r.status == 200 && r.body.find("action=\"consent\"") != std::string::npos) {
      Params form = hidden_fields(r.body);
      form.emplace_back("decision", "allow");
      r = p.down.post("/consent", form);
    }
    const auto q = query_of(r.header("Location").value_or(""));
    EXPECT_EQ(q.count("code"), 1u) << r.status_line << r.body;
    if (q.count("code") == 0) return {};
    Response token = test::post(down.port, "/token",
                                encode({{"grant_type", "authorization_code"},
                                        {"code", q.at("code")},
                                        {"redirect_uri", std::string(kAppRedirect)},
                                        {"code_verifier", pkce.verifier},
                                        {"client_id", down.server->client("app").id}}));
    EXPECT_EQ(token.status, 200) << token.body;
    return token.json();
  }

  static std::string scalar(Instance& down, const std::string& sql) {
    return down.server->database().scalar(sql).value_or("");
  }
  static std::string user_id(Instance& down, const std::string& username) {
    return scalar(down, "SELECT id::text FROM users WHERE username = '" + username + "'");
  }

  static Instance* upstream_;
  static Instance* open_;
  static Instance* closed_;
  static std::vector<RegisteredClient> idp_clients_;
};
Instance* Federation::upstream_ = nullptr;
Instance* Federation::open_ = nullptr;
Instance* Federation::closed_ = nullptr;
std::vector<RegisteredClient> Federation::idp_clients_;

TEST_F(Federation, AFirstSignInCreatesAndLinksAUserAndTheIdTokenSaysFedWithKeywardsSub) {
  Person p = person(*open_, "10.13.0.1");
  Pkce pkce;
  const auto before = std::chrono::system_clock::now();
  Response back = callback(p, *open_, upstream_sign_in(p, start(p, *open_, pkce), "ann"));
  const json tokens = finish_at_app(p, *open_, back, pkce);
  ASSERT_TRUE(tokens.contains("id_token")) << tokens;
  const json claims = id_token_claims(tokens["id_token"]);
  const std::string ann = user_id(*open_, "ann");
  ASSERT_FALSE(ann.empty()) << "a user was created";
  EXPECT_EQ(claims["sub"], ann);
  EXPECT_NE(claims["sub"], user_id(*upstream_, "ann")) << "Keyward's sub, not the upstream's";
  EXPECT_EQ(claims["amr"], json::array({"fed"}));
  const auto auth_time = claims["auth_time"].get<int64_t>();
  EXPECT_GE(
      auth_time,
      std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count() - 1);
  EXPECT_EQ(claims["email"], "ann@example.com");
  EXPECT_EQ(claims["email_verified"], true);
  EXPECT_EQ(scalar(*open_,
                   "SELECT count(*) FROM federated_identities f JOIN users u ON"
                   " u.id = f.user_id WHERE u.username = 'ann' AND u.password_hash IS NULL"),
            "1");
  EXPECT_EQ(scalar(*open_, "SELECT count(*) FROM federation_flows"), "0") << "used up";

  // The second sign-in (a new browser) reuses the link: no second user.
  Person again = person(*open_, "10.13.0.2");
  Pkce pkce2;
  Response back2 =
      callback(again, *open_, upstream_sign_in(again, start(again, *open_, pkce2), "ann"));
  const json tokens2 = finish_at_app(again, *open_, back2, pkce2);
  EXPECT_EQ(id_token_claims(tokens2["id_token"])["sub"], ann);
  EXPECT_EQ(scalar(*open_, "SELECT count(*) FROM users WHERE username LIKE 'ann%'"), "1");
}

TEST_F(Federation, APasswordSignInStillSaysPwd) {
  Person p = person(*open_, "10.13.0.3");
  Pkce pkce;
  Response page = p.down.get("/authorize?" + encode(app_request(*open_, pkce)));
  Params form = form_fields(page.body, "login");
  form.emplace_back("username", "cleo-here");
  form.emplace_back("password", "cleo's keyward password");
  Response signed_in = p.down.post("/login", form);
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  Response r = p.down.follow(signed_in);
  Params consent = hidden_fields(r.body);
  consent.emplace_back("decision", "allow");
  r = p.down.post("/consent", consent);
  const auto q = query_of(r.header("Location").value_or(""));
  ASSERT_EQ(q.count("code"), 1u) << r.body;
  Response token = test::post(open_->port, "/token",
                              encode({{"grant_type", "authorization_code"},
                                      {"code", q.at("code")},
                                      {"redirect_uri", std::string(kAppRedirect)},
                                      {"code_verifier", pkce.verifier},
                                      {"client_id", open_->server->client("app").id}}));
  EXPECT_EQ(id_token_claims(token.json()["id_token"])["amr"], json::array({"pwd"}));
}

TEST_F(Federation, RegistrationClosedRefusesWithAMessageAndCreatesNothing) {
  Person p = person(*closed_, "10.13.1.1");
  Pkce pkce;
  const std::string users = scalar(*closed_, "SELECT count(*) FROM users");
  Response r = callback(p, *closed_, upstream_sign_in(p, start(p, *closed_, pkce), "bert"));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("No account is linked to this Upstream Keyward account"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("action=\"../login\""), std::string::npos) << "the login page again";
  EXPECT_EQ(scalar(*closed_, "SELECT count(*) FROM users"), users);
  EXPECT_EQ(scalar(*closed_, "SELECT count(*) FROM federated_identities"), "0");
  EXPECT_EQ(scalar(*closed_, "SELECT count(*) FROM browser_sessions"), "0");
}

TEST_F(Federation, AVerifiedAddressLinksOnlyWithTheAccountsKeywardPassword) {
  Person p = person(*closed_, "10.13.2.1");
  Pkce pkce;
  Response page = callback(p, *closed_, upstream_sign_in(p, start(p, *closed_, pkce), "cleo"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("An account with the address <strong>cleo@example.com</strong>"),
            std::string::npos)
      << page.body;
  EXPECT_EQ(scalar(*closed_, "SELECT count(*) FROM federated_identities"), "0");

  Params form = form_fields(page.body, "../federation/link");
  ASSERT_FALSE(form.empty()) << page.body;
  Params wrong = form;
  wrong.emplace_back("password", "not cleo's password");
  Response refused = p.down.post("/federation/link", wrong);
  EXPECT_EQ(refused.status, 200);
  EXPECT_NE(refused.body.find("The password is incorrect. Nothing was linked."), std::string::npos)
      << refused.body;
  EXPECT_EQ(scalar(*closed_, "SELECT count(*) FROM federated_identities"), "0");
  EXPECT_EQ(p.down.session_cookie(), "") << "not signed in";

  // Another browser holding nothing of the pending link gets nowhere.
  Browser stranger(closed_->port, "10.13.2.9");
  (void)stranger.get("/account");  // a pre-login cookie and its CSRF token of its own
  Params right = form_fields(refused.body, "../federation/link");
  right.emplace_back("password", "cleo's keyward password");
  Response other = stranger.post("/federation/link", right);
  EXPECT_NE(other.status, 303);
  EXPECT_EQ(scalar(*closed_, "SELECT count(*) FROM federated_identities"), "0");

  Response linked = p.down.post("/federation/link", right);
  ASSERT_EQ(linked.status, 303) << linked.body;
  EXPECT_EQ(scalar(*closed_,
                   "SELECT u.username FROM federated_identities f JOIN users u ON"
                   " u.id = f.user_id"),
            "cleo-here");
  const json tokens = finish_at_app(p, *closed_, linked, pkce);
  const json claims = id_token_claims(tokens["id_token"]);
  EXPECT_EQ(claims["sub"], user_id(*closed_, "cleo-here"));
  EXPECT_EQ(claims["amr"], json::array({"fed"}));
  // Used up: the page is gone.
  Response replay = p.down.post("/federation/link", right);
  EXPECT_NE(replay.status, 303);
}

TEST_F(Federation, AnUnverifiedAddressNeverLinks) {
  // Closed: refused. Open: a separate account, without that address.
  for (Instance* down : {closed_, open_}) {
    Person p = person(*down, down == closed_ ? "10.13.3.1" : "10.13.3.2");
    Pkce pkce;
    Response r = callback(p, *down, upstream_sign_in(p, start(p, *down, pkce), "dave"));
    EXPECT_EQ(r.body.find("already exists"), std::string::npos) << r.body;
    EXPECT_EQ(scalar(*down,
                     "SELECT count(*) FROM federated_identities f JOIN users u ON"
                     " u.id = f.user_id WHERE u.username = 'dave-here'"),
              "0");
    if (down == closed_) {
      EXPECT_EQ(r.status, 403) << r.body;
    } else {
      EXPECT_EQ(r.status, 303) << r.body;
      EXPECT_EQ(scalar(*down, "SELECT coalesce(email, 'none') FROM users WHERE username = 'dave'"),
                "none");
    }
  }
}

TEST_F(Federation, PromptLoginAndMaxAgeMakeTheUpstreamAskAgain) {
  // Signed in at both ends once; the upstream's session stays in this browser.
  Person p = person(*open_, "10.13.9.1");
  Pkce pkce;
  finish_at_app(p, *open_, callback(p, *open_, upstream_sign_in(p, start(p, *open_, pkce), "ivy")),
                pkce);

  for (const Params& extra : {Params{{"prompt", "login"}}, Params{{"max_age", "0"}}}) {
    SCOPED_TRACE(extra[0].first);
    const auto before = std::chrono::system_clock::now();
    Pkce again;
    Response to_upstream = start(p, *open_, again, extra);
    const auto asked = query_of(to_upstream.header("Location").value_or(""));
    ASSERT_EQ(asked.count(extra[0].first), 1u) << "passed on upstream";
    EXPECT_EQ(asked.at(extra[0].first), extra[0].second);
    // The upstream asks for the password again although its session is live.
    Response at_upstream = p.up.get(target_of(to_upstream.header("Location").value_or("")));
    EXPECT_EQ(at_upstream.status, 200) << at_upstream.status_line;
    EXPECT_NE(at_upstream.body.find("action=\"login\""), std::string::npos);
    Response back = callback(p, *open_, upstream_sign_in(p, to_upstream, "ivy"));
    const json tokens = finish_at_app(p, *open_, back, again);
    ASSERT_TRUE(tokens.contains("id_token")) << tokens;
    EXPECT_GE(
        id_token_claims(tokens["id_token"])["auth_time"].get<int64_t>(),
        std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count() - 1);
  }
}

TEST_F(Federation, AStateMismatchAReplayAndAMissingOrForeignCookieAreRefusedChangingNothing) {
  Person p = person(*open_, "10.13.4.1");
  Pkce pkce;
  Response from_upstream = upstream_sign_in(p, start(p, *open_, pkce), "erin");
  const std::string location = from_upstream.header("Location").value_or("");
  const auto q = query_of(location);
  const std::string users = scalar(*open_, "SELECT count(*) FROM users");
  const std::string sessions = scalar(*open_, "SELECT count(*) FROM browser_sessions");

  // Another state.
  std::string tampered = target_of(location);
  tampered.replace(tampered.find(q.at("state")), q.at("state").size(), random_token());
  Response mismatch = p.down.get(tampered);
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_NE(mismatch.body.find(kExpired), std::string::npos) << mismatch.body;

  // The right state from a browser without the binding cookie, or with its own.
  Browser bare(open_->port, "10.13.4.2");
  Response no_cookie = bare.get(target_of(location));
  EXPECT_EQ(no_cookie.status, 400);
  Person other = person(*open_, "10.13.4.3");
  Pkce other_pkce;
  (void)start(other, *open_, other_pkce);  // a binding cookie of its own
  Response foreign = other.down.get(target_of(location));
  EXPECT_EQ(foreign.status, 400);
  EXPECT_NE(foreign.body.find(kExpired), std::string::npos);
  EXPECT_EQ(scalar(*open_, "SELECT count(*) FROM users"), users);
  EXPECT_EQ(scalar(*open_, "SELECT count(*) FROM browser_sessions"), sessions);

  // None of that spoiled the real one; a replay of it is refused.
  Response real = p.down.get(target_of(location));
  EXPECT_EQ(real.status, 303) << real.body;
  Response replay = p.down.get(target_of(location));
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find(kExpired), std::string::npos);
}

TEST_F(Federation, CancellingUpstreamReturnsToTheLoginPageWithAMessage) {
  Person p = person(*open_, "10.13.5.1");
  Pkce pkce;
  const std::string users = scalar(*open_, "SELECT count(*) FROM users");
  Response denied = upstream_sign_in(p, start(p, *open_, pkce), "fay", "deny");
  Response r = callback(p, *open_, denied);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("Sign-in with Upstream Keyward was cancelled."), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("The App"), std::string::npos) << "the original request's login page";
  EXPECT_NE(r.body.find("href=\"../assets/keyward.css\""), std::string::npos);
  EXPECT_EQ(scalar(*open_, "SELECT count(*) FROM users"), users);
  EXPECT_EQ(p.down.session_cookie(), "");
}

TEST_F(Federation, TheAccountPageListsAndUnlinksButNeverTheLastWayToSignIn) {
  Person p = person(*open_, "10.13.6.1");
  Pkce pkce;
  Response back = callback(p, *open_, upstream_sign_in(p, start(p, *open_, pkce), "gus"));
  ASSERT_EQ(back.status, 303) << back.body;
  Response account = p.down.get("/account");
  ASSERT_EQ(account.status, 200);
  EXPECT_NE(account.body.find("Linked sign-in providers"), std::string::npos) << account.body;
  EXPECT_NE(account.body.find("gus@example.com"), std::string::npos);

  Params form = {{"csrf_token", hidden_fields(account.body).front().second},
                 {"provider", "upstream"},
                 {"action", "unlink_provider"}};
  Response refused = p.down.post("/account", form);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("This is the only way to sign in to your account."),
            std::string::npos);
  EXPECT_EQ(scalar(*open_,
                   "SELECT count(*) FROM federated_identities f JOIN users u"
                   " ON u.id = f.user_id WHERE u.username = 'gus'"),
            "1");

  // With a password (as /reset would set), unlinking is allowed.
  open_->server->database().exec("UPDATE users SET password_hash = '" +
                                 test_password_hash("gus's new password") +
                                 "' WHERE username = 'gus'");
  Response done = p.down.post("/account", form);
  EXPECT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.header("Location"), "account?done=provider");
  EXPECT_EQ(scalar(*open_,
                   "SELECT count(*) FROM federated_identities f JOIN users u"
                   " ON u.id = f.user_id WHERE u.username = 'gus'"),
            "0");
}

TEST_F(Federation, APasswordlessUserCannotSignInWithAPasswordNorChangeTheAddress) {
  Person p = person(*open_, "10.13.7.1");
  Pkce pkce;
  Response back = callback(p, *open_, upstream_sign_in(p, start(p, *open_, pkce), "hal"));
  ASSERT_EQ(back.status, 303) << back.body;
  Response account = p.down.get("/account");
  Params form = {{"csrf_token", hidden_fields(account.body).front().second},
                 {"action", "profile"},
                 {"email", "thief@example.com"},
                 {"current_password", ""}};
  Response refused = p.down.post("/account", form);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("no Keyward password yet"), std::string::npos) << refused.body;
  EXPECT_EQ(scalar(*open_, "SELECT email FROM users WHERE username = 'hal'"), "hal@example.com");

  Browser b(open_->port, "10.13.7.2");
  Response page = b.get("/account");
  Params login = form_fields(page.body, "login");
  login.emplace_back("username", "hal");
  login.emplace_back("password", "anything at all");
  Response wrong = b.post("/login", login);
  EXPECT_EQ(wrong.status, 200);
  EXPECT_NE(wrong.body.find("The username or password is incorrect."), std::string::npos);
}

TEST_F(Federation, ADisabledUserIsRefused) {
  Person first = person(*open_, "10.13.8.1");
  Pkce pkce;
  ASSERT_EQ(
      callback(first, *open_, upstream_sign_in(first, start(first, *open_, pkce), "ann")).status,
      303);
  open_->server->database().exec("UPDATE users SET disabled = true WHERE username = 'ann'");
  Person p = person(*open_, "10.13.8.2");
  Pkce pkce2;
  Response r = callback(p, *open_, upstream_sign_in(p, start(p, *open_, pkce2), "ann"));
  open_->server->database().exec("UPDATE users SET disabled = false WHERE username = 'ann'");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("This account cannot sign in."), std::string::npos);
  EXPECT_EQ(p.down.session_cookie(), "");
}

}  // namespace
}  // namespace keyward::test
