// Black-box tests of the account page (GET/POST /account, docs/accounts.md "The account
// page") and the `keyward user verify-email` / `sessions` / `revoke` commands, against
// the real `keyward serve` on its own migrated database. Every action is checked for its
// effect in the database and at the token endpoints (refresh tokens refused, access
// tokens inactive at introspection), and every refusal for changing nothing.
#include <gtest/gtest.h>

#include <regex>

#include "common/base64url.h"
#include "common/crypto.h"
#include "grants/pkce.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/mail_sink.h"
#include "tests/http/support/server_process.h"
#include "tests/http/support/suite_server.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMasterKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr std::string_view kIssuer = "http://127.0.0.1:9";
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kNewPassword = "a brand new passphrase 42";
constexpr std::string_view kRedirect = "https://spa.example/callback";

// The JSON a command printed (run_keyward mixes stdout and stderr: a warning may come
// first).
json json_in(const std::string& output) {
  const auto start = output.find_first_of("[{");
  return json::parse(start == std::string::npos ? output : output.substr(start));
}

struct Tokens {
  std::string access, refresh;
};

class AccountPage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    // A real SMTP server: the verification link of a changed address is read from it.
    sink_ = new MailSink();
    suite_ = new SuiteServer({{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
                              {"KEYWARD_ISSUER", std::string(kIssuer)},
                              {"KEYWARD_SMTP_URL", sink_->smtp_url()},
                              {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
                              {"KEYWARD_ARGON2_ITERATIONS", "5"}});
    suite_->register_client("spa", "Single <Page> App",
                            {"--grant-types", "authorization_code,refresh_token", "--scopes",
                             "openid profile email offline_access read", "--public",
                             "--redirect-uri", std::string(kRedirect)});
    suite_->register_client(
        "rs", "Resource server",
        {"--grant-types", "client_credentials", "--scopes", "introspect", "--introspect"});
    auto db = suite_->database().open();
    // One user per test: they share one server and one database.
    for (const char* name : {"ann", "csrf", "pat", "pwd", "ses", "other", "app", "del", "dis",
                             "cli", "nomail", "ua", "mail"}) {
      std::optional<std::string> email;
      if (std::string_view(name) != "nomail") email = std::string(name) + "@example.com";
      insert_user(db, storage::NewUser{name, email, std::nullopt, std::nullopt, ""}, kPassword);
    }
    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete sink_;
    suite_ = nullptr;
    sink_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    ASSERT_EQ(test::get(port(), "/health/ready").status, 200) << suite_->process().output();
  }

  static uint16_t port() { return suite_->port(); }
  static TestDatabase& db() { return suite_->database(); }
  // A live password-reset link of `name`'s, as /recover would have stored it.
  static void plant_reset_link(const std::string& name) {
    db().exec(
        "INSERT INTO account_links (token_hash, purpose, user_id, expires_at)"
        " SELECT sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'reset_password', id, now() "
        "+ interval '30 minutes'"
        " FROM users WHERE username = '" +
        name + "'");
  }

  static std::string reset_links_of(const std::string& name) {
    return db()
        .scalar(
            "SELECT count(*) FROM account_links l JOIN users u ON u.id = l.user_id"
            " WHERE u.username = '" +
            name + "' AND l.purpose = 'reset_password'")
        .value_or("?");
  }
  static std::string user_id(const std::string& name) {
    return db().scalar("SELECT id::text FROM users WHERE username = '" + name + "'").value_or("");
  }
  static std::string count(const std::string& sql) { return db().scalar(sql).value_or("?"); }
  static std::string sessions_of(const std::string& name) {
    return count("SELECT count(*) FROM browser_sessions WHERE user_id = '" + user_id(name) + "'");
  }

  static bool is_login_page(const Response& r) {
    return r.status == 200 && r.body.find("action=\"login\"") != std::string::npos &&
           r.body.find("name=\"return_to\" value=\"account\"") != std::string::npos;
  }
  static bool is_account_page(const Response& r, const std::string& user) {
    return r.body.find("Signed in as <strong>" + user + "</strong>") != std::string::npos;
  }

  // GET /account, the login page without a client, sign-in, back to /account.
  static Response sign_in(Browser& b, const std::string& user,
                          std::string_view password = kPassword) {
    const Response login = b.get("/account");
    EXPECT_TRUE(is_login_page(login)) << login.body;
    Params form = hidden_fields(login.body);
    form.emplace_back("username", user);
    form.emplace_back("password", std::string(password));
    const Response back = b.post("/login", form);
    EXPECT_EQ(back.status, 303) << back.body;
    EXPECT_EQ(back.header("Location"), "account");
    const Response page = b.follow(back);
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_TRUE(is_account_page(page, user)) << page.body;
    return page;
  }

  static std::string csrf_of(const Response& page) {
    std::smatch m;
    const std::regex token("name=\"csrf_token\" value=\"([A-Za-z0-9_-]+)\"");
    if (!std::regex_search(page.body, m, token)) return "";
    return m[1];
  }
  // POSTs `action` with the page's CSRF token and `extra` fields.
  static Response act(Browser& b, const Response& page, const std::string& action,
                      Params extra = {}) {
    Params form = {{"csrf_token", csrf_of(page)}, {"action", action}};
    form.insert(form.end(), extra.begin(), extra.end());
    return b.post("/account", form);
  }

  // The key the page gives the session of `b`: base64url(SHA-256(cookie)).
  static std::string key_of(const Browser& b) {
    return base64url_encode(sha256(b.session_cookie()));
  }

  // The SPA's code flow in the signed-in browser `b` (consent allowed): its tokens.
  static Tokens authorize_spa(Browser& b, const std::string& scope = "openid profile") {
    const std::string verifier = random_token(48);
    const Params request = {{"client_id", suite_->client("spa").id},
                            {"redirect_uri", std::string(kRedirect)},
                            {"response_type", "code"},
                            {"scope", scope},
                            {"state", "s1"},
                            {"code_challenge", grants::pkce_s256_challenge(verifier)},
                            {"code_challenge_method", "S256"}};
    Response r = b.get("/authorize?" + encode(request));
    if (r.status == 200 && r.body.find("action=\"consent\"") != std::string::npos) {
      Params form = hidden_fields(r.body);
      form.emplace_back("decision", "allow");
      r = b.post("/consent", form);
    }
    EXPECT_EQ(r.status / 100, 3) << r.body;
    const auto q = query_of(r.header("Location").value_or(""));
    const Response t = test::post(port(), "/token",
                                  encode({{"grant_type", "authorization_code"},
                                          {"code", q.count("code") ? q.at("code") : ""},
                                          {"redirect_uri", std::string(kRedirect)},
                                          {"code_verifier", verifier},
                                          {"client_id", suite_->client("spa").id}}));
    EXPECT_EQ(t.status, 200) << t.body;
    if (t.status != 200) return {};
    return Tokens{t.json()["access_token"], t.json()["refresh_token"]};
  }
  static int refresh_status(const std::string& refresh_token) {
    return test::post(port(), "/token",
                      encode({{"grant_type", "refresh_token"},
                              {"refresh_token", refresh_token},
                              {"client_id", suite_->client("spa").id}}))
        .status;
  }
  static bool active(const std::string& access_token) {
    const auto& rs = suite_->client("rs");
    const Response r =
        test::post(port(), "/introspect", encode({{"token", access_token}}),
                   "application/x-www-form-urlencoded", basic_authorization(rs.id, rs.secret));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().value("active", false);
  }
  static void expect_page_headers(const Response& r) {
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(r.header("Content-Security-Policy").value_or("").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  }

  static SuiteServer* suite_;
  static MailSink* sink_;
};
SuiteServer* AccountPage::suite_ = nullptr;
MailSink* AccountPage::sink_ = nullptr;

TEST_F(AccountPage, SignInWithoutAClientReturnsToTheAccountPage) {
  Browser b(port(), "10.20.0.1", "Mozilla/5.0 (X11; TestOS) Firefox/123.0");
  const Response login = b.get("/account");
  ASSERT_TRUE(is_login_page(login)) << login.body;
  expect_page_headers(login);
  EXPECT_NE(login.body.find("Sign in to your account"), std::string::npos);
  EXPECT_EQ(login.body.find("to continue to"), std::string::npos) << "no client is named";

  // return_to is a closed set: anything but "account" is refused, and nobody signs in.
  Params evil = hidden_fields(login.body);
  for (auto& [name, value] : evil) {
    if (name == "return_to") value = "https://evil.example/";
  }
  evil.emplace_back("username", "ann");
  evil.emplace_back("password", std::string(kPassword));
  const Response refused = b.post("/login", evil);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_FALSE(refused.header("Location").has_value());
  EXPECT_EQ(sessions_of("ann"), "0");

  // A wrong password shows the same page again, still without a client.
  Params wrong = hidden_fields(login.body);
  wrong.emplace_back("username", "ann");
  wrong.emplace_back("password", "not the password");
  const Response again = b.post("/login", wrong);
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(is_login_page(again)) << again.body;
  EXPECT_NE(again.body.find("The username or password is incorrect."), std::string::npos);

  const Response page = sign_in(b, "ann");
  expect_page_headers(page);
  // The session records where it came from, as the account page lists it.
  const auto rows =
      db().query("SELECT user_agent, ip_address FROM browser_sessions WHERE user_id = '" +
                 user_id("ann") + "'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "Mozilla/5.0 (X11; TestOS) Firefox/123.0");
  EXPECT_EQ(rows[0][1], "10.20.0.1");
  EXPECT_NE(page.body.find("Mozilla/5.0 (X11; TestOS) Firefox/123.0"), std::string::npos);
  EXPECT_NE(page.body.find("10.20.0.1"), std::string::npos);
  EXPECT_NE(page.body.find("this browser"), std::string::npos);
}

TEST_F(AccountPage, AnOverlongOrBinaryUserAgentIsStoredClipped) {
  Browser b(port(), "10.20.0.2", std::string(600, 'x') + "\x7f\xc3\xa9");
  sign_in(b, "ua");
  const auto agent = db().scalar("SELECT user_agent FROM browser_sessions WHERE user_id = '" +
                                 user_id("ua") + "'");
  ASSERT_TRUE(agent.has_value());
  EXPECT_EQ(*agent, std::string(512, 'x'));
}

TEST_F(AccountPage, EveryActionNeedsTheSessionsCsrfTokenAndChangesNothingWithout) {
  Browser b(port(), "10.21.0.1");
  const Response page = sign_in(b, "csrf");
  Browser other(port(), "10.21.0.2");
  sign_in(other, "csrf");
  const std::string other_key = key_of(other);
  constexpr const char* kFingerprint =
      "SELECT coalesce(given_name, '-') || email || email_verified::text || password_hash"
      " FROM users WHERE username = 'csrf'";
  const std::string before = count(kFingerprint);
  ASSERT_NE(before, "?");
  const std::vector<std::pair<std::string, Params>> actions = {
      {"profile", {{"given_name", "Mallory"}, {"email", "mallory@example.com"}}},
      {"resend_verification", {}},
      {"password",
       {{"current_password", std::string(kPassword)},
        {"new_password", std::string(kNewPassword)},
        {"confirm_password", std::string(kNewPassword)}}},
      {"end_session", {{"session", other_key}}},
      {"end_all_sessions", {}},
      {"revoke_application", {{"client_id", suite_->client("spa").id}}},
      {"delete_account", {{"password", std::string(kPassword)}}}};
  for (const auto& [action, extra] : actions) {
    for (const std::string& token : {std::string(), std::string("wrong"), csrf_of(page) + "x"}) {
      Params form = {{"action", action}};
      if (!token.empty()) form.emplace_back("csrf_token", token);
      form.insert(form.end(), extra.begin(), extra.end());
      const Response r = b.post("/account", form);
      EXPECT_EQ(r.status, 403) << action << " " << r.body;
      EXPECT_NE(r.body.find("This page has expired"), std::string::npos);
    }
    // A browser with no session at all, the right-looking token of another.
    Browser stranger(port(), "10.21.0.3");
    Params form = {{"action", action}, {"csrf_token", csrf_of(page)}};
    form.insert(form.end(), extra.begin(), extra.end());
    EXPECT_EQ(stranger.post("/account", form).status, 403) << action;
  }
  EXPECT_EQ(count(kFingerprint), before);
  EXPECT_EQ(sessions_of("csrf"), "2");
  EXPECT_TRUE(is_account_page(b.get("/account"), "csrf"));
  EXPECT_TRUE(is_account_page(other.get("/account"), "csrf"));
}

TEST_F(AccountPage, ProfileChangeStoresANewEmailUnverified) {
  db().exec("UPDATE users SET email_verified = true WHERE username = 'pat'");
  Browser b(port(), "10.22.0.1");
  Response page = sign_in(b, "pat");
  EXPECT_NE(page.body.find("Verified."), std::string::npos);

  // The same address: it stays verified.
  Response r = act(
      b, page, "profile",
      {{"given_name", "  Pat  "}, {"family_name", "O'Neil <Jr>"}, {"email", "pat@example.com"}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=profile");
  page = b.follow(r);
  EXPECT_NE(page.body.find("Your profile is saved."), std::string::npos);
  EXPECT_NE(page.body.find("value=\"O&apos;Neil &lt;Jr&gt;\""), std::string::npos) << page.body;
  auto row = db().query(
      "SELECT given_name, family_name, email, email_verified::text FROM users "
      "WHERE username = 'pat'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0], (TestDatabase::Row{"Pat", "O'Neil <Jr>", "pat@example.com", "true"}));

  // A malformed address is refused with the page again (400) and nothing changes.
  r = act(b, page, "profile", {{"given_name", "X"}, {"email", "not an address"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Enter a valid e-mail address, like name@example.com."), std::string::npos);
  EXPECT_NE(r.body.find("value=\"not an address\""), std::string::npos) << "typed values kept";
  EXPECT_EQ(db().scalar("SELECT given_name FROM users WHERE username = 'pat'"), "Pat");

  // Sign-up's rules, so nothing the mail sender or /recover would refuse is stored.
  for (const char* bad : {"pat@intranet", "pat<x>@example.com", "a,b@example.com"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(act(b, page, "profile", {{"given_name", "Pat"}, {"email", bad}}).status, 400);
  }
  EXPECT_EQ(db().scalar("SELECT email FROM users WHERE username = 'pat'"), "pat@example.com");

  // A new address: stored, unverified, and the page offers to send the link again. A reset
  // link mailed to the old address dies with the change (a name-only change keeps it).
  plant_reset_link("pat");
  ASSERT_EQ(act(b, page, "profile", {{"given_name", "Pat"}, {"email", "pat@example.com"}}).status,
            303);
  EXPECT_EQ(reset_links_of("pat"), "1");
  // A new address needs the current password: a stolen session alone cannot redirect the
  // account's recovery mails.
  for (const char* wrong : {"", "not my password"}) {
    SCOPED_TRACE(wrong);
    r = act(b, page, "profile",
            {{"given_name", "Pat"}, {"email", "pat.new@example.com"}, {"current_password", wrong}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body.find(wrong[0] ? "not my password" : "\x01"), std::string::npos);
    EXPECT_EQ(db().scalar("SELECT email FROM users WHERE username = 'pat'"), "pat@example.com");
    EXPECT_EQ(reset_links_of("pat"), "1");
  }
  EXPECT_NE(r.body.find("Your current password is not correct."), std::string::npos);
  r = act(b, page, "profile",
          {{"given_name", "Pat"},
           {"email", "pat.new@example.com"},
           {"current_password", std::string(kPassword)}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=email");
  row = db().query(
      "SELECT email, email_verified::text, family_name FROM users WHERE username = "
      "'pat'");
  EXPECT_EQ(row[0], (TestDatabase::Row{"pat.new@example.com", "false", std::nullopt}));
  EXPECT_EQ(reset_links_of("pat"), "0");
  page = b.follow(r);
  EXPECT_NE(page.body.find("verification link is on its way to your new e-mail address"),
            std::string::npos);
  EXPECT_NE(page.body.find("value=\"resend_verification\""), std::string::npos);
  r = act(b, page, "resend_verification");
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=verification");

  // ?done= only ever shows one of its own sentences.
  page = b.get("/account?done=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("alert(1)"), std::string::npos);
  EXPECT_EQ(page.body.find("role=\"status\""), std::string::npos);
}

TEST_F(AccountPage, ANewAddressReceivesAVerificationLinkAndCanAskForAnother) {
  Browser b(port(), "10.22.1.1");
  Response page = sign_in(b, "mail");
  Response r =
      act(b, page, "profile",
          {{"email", "mail.new@example.com"}, {"current_password", std::string(kPassword)}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=email");
  const std::string prefix = std::string(kIssuer) + "/verify-email?token=";
  const auto first = sink_->next_for("mail.new@example.com", std::chrono::seconds(15));
  ASSERT_TRUE(first.has_value()) << "no verification mail";
  const std::string link = link_in(first->text, prefix);
  EXPECT_FALSE(link.empty()) << first->text;

  page = b.follow(r);
  r = act(b, page, "resend_verification");
  EXPECT_EQ(r.status, 303) << r.body;
  const auto second = sink_->next_for("mail.new@example.com", std::chrono::seconds(15));
  ASSERT_TRUE(second.has_value()) << "no second verification mail";
  EXPECT_FALSE(link_in(second->text, prefix).empty());
  EXPECT_NE(link_in(second->text, prefix), link) << "a new link each time";
  EXPECT_EQ(sink_->count_for("mail@example.com"), 0u) << "the old address is not written to";
}

TEST_F(AccountPage, PasswordChangeNeedsTheCurrentOneAndSignsEverythingElseOut) {
  Browser here(port(), "10.23.0.1");
  Browser there(port(), "10.23.0.2");
  const Response page = sign_in(here, "pwd");
  sign_in(there, "pwd");
  const Tokens here_tokens = authorize_spa(here);
  const Tokens there_tokens = authorize_spa(there, "openid offline_access");
  const std::string hash_before = count("SELECT password_hash FROM users WHERE username = 'pwd'");

  Response r = act(here, page, "password",
                   {{"current_password", "not my password"},
                    {"new_password", std::string(kNewPassword)},
                    {"confirm_password", std::string(kNewPassword)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Your current password is not correct."), std::string::npos);
  r = act(here, page, "password",
          {{"current_password", std::string(kPassword)},
           {"new_password", "short"},
           {"confirm_password", "short"}});
  EXPECT_EQ(r.status, 400);
  r = act(here, page, "password",
          {{"current_password", std::string(kPassword)},
           {"new_password", std::string(kNewPassword)},
           {"confirm_password", "something else entirely"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The two new passwords are not the same."), std::string::npos);
  EXPECT_EQ(count("SELECT password_hash FROM users WHERE username = 'pwd'"), hash_before);
  EXPECT_EQ(sessions_of("pwd"), "2");
  plant_reset_link("pwd");
  EXPECT_EQ(refresh_status(there_tokens.refresh), 200);

  r = act(here, page, "password",
          {{"current_password", std::string(kPassword)},
           {"new_password", std::string(kNewPassword)},
           {"confirm_password", std::string(kNewPassword)}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=password");
  // This browser stays signed in; the other is signed out; every grant is revoked.
  EXPECT_TRUE(is_account_page(here.follow(r), "pwd"));
  EXPECT_TRUE(is_login_page(there.get("/account")));
  EXPECT_EQ(sessions_of("pwd"), "1");
  EXPECT_EQ(refresh_status(here_tokens.refresh), 400);
  EXPECT_EQ(refresh_status(there_tokens.refresh), 400) << "offline_access too";
  EXPECT_FALSE(active(here_tokens.access));
  EXPECT_EQ(reset_links_of("pwd"), "0") << "a reset link must not undo the new password";
  // The new password signs in, the old one no longer.
  Browser later(port(), "10.23.0.3");
  sign_in(later, "pwd", kNewPassword);
}

TEST_F(AccountPage, SessionsAreListedAndSignedOutOneByOneOrEverywhere) {
  Browser one(port(), "10.24.0.1", "BrowserOne/1.0");
  Browser two(port(), "10.24.0.2", "BrowserTwo/2.0");
  Browser three(port(), "10.24.0.3", "BrowserThree/3.0");
  sign_in(one, "ses");
  sign_in(two, "ses");
  sign_in(three, "ses");
  const Tokens two_tokens = authorize_spa(two);
  const Tokens two_offline = authorize_spa(two, "openid offline_access");
  Browser intruder(port(), "10.24.0.9");
  sign_in(intruder, "other");

  Response page = one.get("/account");
  for (const char* text : {"BrowserOne/1.0", "BrowserTwo/2.0", "BrowserThree/3.0", "10.24.0.1",
                           "10.24.0.2", "10.24.0.3"}) {
    EXPECT_NE(page.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(page.body.find("10.24.0.9"), std::string::npos) << "another user's session";
  EXPECT_NE(page.body.find("value=\"" + key_of(two) + "\""), std::string::npos);
  EXPECT_EQ(page.body.find(two.session_cookie()), std::string::npos) << "never the cookie";

  // Another user's session cannot be ended from here.
  Response r = act(one, page, "end_session", {{"session", key_of(intruder)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(is_account_page(intruder.get("/account"), "other"));
  r = act(one, page, "end_session", {{"session", "not a key"}});
  EXPECT_EQ(r.status, 400);

  // Ending the second browser's session signs it out and revokes its grants, except
  // offline_access ones (as logout does).
  r = act(one, page, "end_session", {{"session", key_of(two)}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=session");
  EXPECT_TRUE(is_login_page(two.get("/account")));
  EXPECT_EQ(refresh_status(two_tokens.refresh), 400);
  EXPECT_FALSE(active(two_tokens.access));
  EXPECT_EQ(refresh_status(two_offline.refresh), 200);
  EXPECT_EQ(sessions_of("ses"), "2");

  // Everywhere: this browser too, its cookie cleared.
  page = one.follow(r);
  r = act(one, page, "end_all_sessions");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("You are signed out everywhere"), std::string::npos);
  EXPECT_NE(r.header("Set-Cookie").value_or("").find("keyward_session=; Path=/; Max-Age=0"),
            std::string::npos);
  EXPECT_TRUE(is_login_page(one.get("/account")));
  EXPECT_TRUE(is_login_page(three.get("/account")));
  EXPECT_EQ(sessions_of("ses"), "0");
  EXPECT_TRUE(is_account_page(intruder.get("/account"), "other"));
}

TEST_F(AccountPage, ConnectedApplicationsAreListedAndRevoked) {
  Browser b(port(), "10.25.0.1");
  sign_in(b, "app");
  Response page = b.get("/account");
  EXPECT_NE(page.body.find("No application has access to your account."), std::string::npos);
  const Tokens tokens = authorize_spa(b, "openid email offline_access");
  page = b.get("/account");
  EXPECT_NE(page.body.find("Single &lt;Page&gt; App"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("Single <Page> App"), std::string::npos);
  EXPECT_NE(page.body.find("See your email address"), std::string::npos);
  EXPECT_NE(page.body.find("Stay connected when you are away"), std::string::npos);

  Response r = act(b, page, "revoke_application", {{"client_id", "no-such-client"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(refresh_status(tokens.refresh), 200);

  page = b.get("/account");
  r = act(b, page, "revoke_application", {{"client_id", suite_->client("spa").id}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "account?done=application");
  EXPECT_EQ(refresh_status(tokens.refresh), 400);
  EXPECT_FALSE(active(tokens.access));
  EXPECT_EQ(count("SELECT count(*) FROM consents WHERE user_id = '" + user_id("app") + "'"), "0");
  page = b.follow(r);
  EXPECT_NE(page.body.find("No application has access to your account."), std::string::npos);
  EXPECT_TRUE(is_account_page(page, "app")) << "the browser stays signed in";
}

TEST_F(AccountPage, DeletingTheAccountNeedsThePasswordAndRemovesEverything) {
  Browser b(port(), "10.26.0.1");
  Response page = sign_in(b, "del");
  const Tokens tokens = authorize_spa(b, "openid offline_access");
  const std::string id = user_id("del");

  Response r = act(b, page, "delete_account", {{"password", "not my password"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Your current password is not correct."), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'del'"), "1");
  EXPECT_EQ(refresh_status(tokens.refresh), 200);

  r = act(b, page, "delete_account", {{"password", std::string(kPassword)}});
  EXPECT_EQ(r.status, 200) << r.body;
  expect_page_headers(r);
  EXPECT_NE(r.body.find("Your account is deleted"), std::string::npos);
  EXPECT_NE(r.header("Set-Cookie").value_or("").find("keyward_session=; Path=/; Max-Age=0"),
            std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE username = 'del'"), "0");
  for (const char* table : {"browser_sessions", "grants", "consents"}) {
    EXPECT_EQ(count(std::string("SELECT count(*) FROM ") + table + " WHERE user_id = '" + id + "'"),
              "0")
        << table;
  }
  EXPECT_EQ(refresh_status(tokens.refresh), 400);
  EXPECT_FALSE(active(tokens.access));
  EXPECT_TRUE(is_login_page(b.get("/account")));
}

// The account forms' fields fed a NUL, invalid UTF-8 or a repeat: a body that does not
// decode has no readable CSRF token (403); a repeated field is refused (400); nothing
// changes.
TEST_F(AccountPage, MalformedOrRepeatedFieldsChangeNothing) {
  Browser b(port(), "10.22.9.1");
  const Response page = sign_in(b, "ann");
  const std::string given =
      count("SELECT coalesce(given_name, '') FROM users WHERE username = 'ann'");
  for (const std::string& bad : {std::string("x\0y", 3), std::string("\xff\xfe")}) {
    EXPECT_EQ(act(b, page, "profile", {{"given_name", bad}}).status, 403);
    EXPECT_EQ(act(b, page, "end_session", {{"session", bad}}).status, 403);
  }
  EXPECT_EQ(act(b, page, "profile", {{"given_name", "A"}, {"given_name", "B"}}).status, 400);
  EXPECT_EQ(act(b, page, "end_session", {{"session", key_of(b)}, {"session", key_of(b)}}).status,
            400);
  Params twice = {{"csrf_token", csrf_of(page)},
                  {"action", "end_all_sessions"},
                  {"action", "end_all_sessions"}};
  EXPECT_EQ(b.post("/account", twice).status, 400);
  EXPECT_EQ(count("SELECT coalesce(given_name, '') FROM users WHERE username = 'ann'"), given);
  EXPECT_TRUE(is_account_page(b.get("/account"), "ann")) << "still signed in";
}

TEST_F(AccountPage, ADisabledUserCannotUseTheAccountPage) {
  Browser b(port(), "10.27.0.1");
  const Response page = sign_in(b, "dis");
  // Disabled behind the server's back (the CLI would also end the sessions): the page
  // must check by itself.
  db().exec("UPDATE users SET disabled = true WHERE username = 'dis'");
  EXPECT_TRUE(is_login_page(b.get("/account")));
  const Response r = act(b, page, "profile", {{"given_name", "Changed"}});
  EXPECT_TRUE(is_login_page(r)) << r.body;
  EXPECT_EQ(db().scalar("SELECT given_name FROM users WHERE username = 'dis'"), std::nullopt);
  db().exec("UPDATE users SET disabled = false WHERE username = 'dis'");
}

TEST_F(AccountPage, CliVerifiesEmailsListsSessionsAndRevokes) {
  const Env env = suite_->env();
  auto r = run_keyward({"user", "verify-email", "cli"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(db().scalar("SELECT email_verified::text FROM users WHERE username = 'cli'"), "true");
  r = run_keyward({"user", "verify-email", "nomail"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("has no e-mail address"), std::string::npos) << r.output;
  r = run_keyward({"user", "verify-email", "nobody-here"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no user 'nobody-here'"), std::string::npos) << r.output;
  r = run_keyward({"user", "verify-email"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.output;

  Browser b(port(), "10.28.0.1", "CliTestBrowser/1.0");
  sign_in(b, "cli");
  const Tokens tokens = authorize_spa(b, "openid offline_access");
  r = run_keyward({"user", "sessions", "cli"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json listed = json_in(r.output);
  ASSERT_EQ(listed.size(), 1u) << r.output;
  EXPECT_EQ(listed[0]["user_agent"], "CliTestBrowser/1.0");
  EXPECT_EQ(listed[0]["ip_address"], "10.28.0.1");
  EXPECT_TRUE(listed[0]["created_at"].is_number());
  EXPECT_TRUE(listed[0]["last_seen_at"].is_number());
  EXPECT_EQ(listed[0].size(), 4u) << "never an id";
  EXPECT_EQ(r.output.find(b.session_cookie()), std::string::npos);

  // revoke ends the sessions and every grant, offline_access too.
  r = run_keyward({"user", "revoke", "cli"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_in(r.output)["revoked"]["sessions"], 1);
  EXPECT_TRUE(is_login_page(b.get("/account")));
  EXPECT_EQ(refresh_status(tokens.refresh), 400);
  r = run_keyward({"user", "sessions", "cli"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_in(r.output), json::array());
}

}  // namespace
}  // namespace keyward::test
