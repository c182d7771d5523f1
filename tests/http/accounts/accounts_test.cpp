// Black-box tests of the accounts people run themselves (docs/accounts.md): sign-up at
// /signup, the verification mail and /verify-email, recovery at /recover and /reset,
// against the real `keyward serve` with KEYWARD_REGISTRATION=open and its mails delivered
// over real SMTP to a sink (python3-aiosmtpd) the test reads. Every refusal changes
// nothing; recovery answers the same whether or not an account exists.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "common/crypto.h"
#include "grants/pkce.h"
#include "storage/database.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/mail_sink.h"
#include "tests/http/support/suite_server.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMasterKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr std::string_view kIssuer = "http://127.0.0.1:9";
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kNewPassword = "a brand new passphrase";
constexpr std::string_view kRedirect = "https://spa.example/callback";
constexpr int kMailLimit = 3;
// How long a mail that must not come is waited for.
constexpr auto kNoMailWait = std::chrono::seconds(3);

struct Pkce {
  std::string verifier = random_token(48);
  std::string challenge = grants::pkce_s256_challenge(verifier);
};

Env base_env() {
  return {{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
          {"KEYWARD_ISSUER", std::string(kIssuer)},
          {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
          {"KEYWARD_ARGON2_ITERATIONS", "5"}};
}

class Accounts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    sink_ = new MailSink();
    Env env = base_env();
    env["KEYWARD_REGISTRATION"] = "open";
    env["KEYWARD_SMTP_URL"] = sink_->smtp_url();
    env["KEYWARD_SMTP_FROM"] = "Keyward <no-reply@keyward.test>";
    env["KEYWARD_MAIL_LIMIT_PER_HOUR"] = std::to_string(kMailLimit);
    suite_ = new SuiteServer(env);
    suite_->register_client("spa", "SPA",
                            {"--grant-types", "authorization_code,refresh_token", "--scopes",
                             "openid profile email offline_access", "--public", "--redirect-uri",
                             std::string(kRedirect)});
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
  static const RegisteredClient& spa() { return suite_->client("spa"); }

  // A user with a known password, made directly in the database.
  static std::string add_user(const std::string& username, std::optional<std::string> email) {
    auto database = db().open();
    return insert_user(database,
                       storage::NewUser{username, std::move(email), std::nullopt, std::nullopt, ""},
                       kPassword);
  }
  static std::string user_count() { return db().scalar("SELECT count(*) FROM users").value(); }
  static std::optional<std::string> verified(const std::string& username) {
    return db().scalar("SELECT email_verified FROM users WHERE username = '" + username + "'");
  }

  static Params spa_request(const Pkce& pkce, const std::string& scope = "openid profile email") {
    return {{"client_id", spa().id},
            {"redirect_uri", std::string(kRedirect)},
            {"response_type", "code"},
            {"scope", scope},
            {"state", "s1"},
            {"code_challenge", pkce.challenge},
            {"code_challenge_method", "S256"}};
  }

  // Submits a page's form: its hidden fields plus `fields`, to `path`.
  static Response submit(Browser& b, const std::string& path, const Response& page,
                         const Params& fields) {
    Params form = hidden_fields(page.body);
    form.insert(form.end(), fields.begin(), fields.end());
    return b.post(path, form);
  }
  static Params signup_fields(const std::string& username, const std::string& email,
                              const std::string& password = std::string(kPassword)) {
    return {{"username", username},
            {"email", email},
            {"given_name", "New"},
            {"family_name", "Comer"},
            {"password", password}};
  }

  // The mail's link that starts with `path` (e.g. "/reset?token="), as a path on the
  // test server (links are built from the issuer, which is not the server's port).
  static std::string mailed_path(const ReceivedMail& mail, const std::string& path) {
    const std::string link = link_in(mail.text, std::string(kIssuer) + path);
    EXPECT_FALSE(link.empty()) << mail.text;
    return link.empty() ? "" : link.substr(kIssuer.size());
  }
  static std::string next_link(const std::string& to, const std::string& path) {
    auto mail = sink_->next_for(to);
    EXPECT_TRUE(mail.has_value()) << "no mail to " << to << "\n" << suite_->process().output();
    if (!mail) return "";
    return mailed_path(*mail, path);
  }
  // No new mail to `to` in kNoMailWait.
  static void expect_no_mail(const std::string& to) {
    EXPECT_FALSE(sink_->next_for(to, kNoMailWait).has_value()) << "a mail went to " << to;
  }

  static Response recover(Browser& b, const std::string& account) {
    const Response page = b.get("/recover");
    EXPECT_EQ(page.status, 200) << page.body;
    return submit(b, "/recover", page, {{"account", account}});
  }

  // Signs `username` in through the SPA (consent allowed) and exchanges the code: the
  // token response.
  static json sign_in(Browser& b, const std::string& username, std::string_view password,
                      const std::string& scope = "openid profile email") {
    Pkce pkce;
    Response r = b.get("/authorize?" + encode(spa_request(pkce, scope)));
    if (r.body.find("action=\"login\"") != std::string::npos) {
      const Response back =
          submit(b, "/login", r, {{"username", username}, {"password", std::string(password)}});
      EXPECT_EQ(back.status, 303) << back.body;
      r = b.follow(back);
    }
    if (r.body.find("action=\"consent\"") != std::string::npos) {
      r = submit(b, "/consent", r, {{"decision", "allow"}});
    }
    return exchange(r, pkce);
  }
  static json exchange(const Response& redirect, const Pkce& pkce) {
    const auto q = query_of(redirect.header("Location").value_or(""));
    EXPECT_EQ(q.count("code"), 1u) << redirect.status << redirect.body;
    if (!q.count("code")) return json::object();
    const Response token = test::post(port(), "/token",
                                      encode({{"grant_type", "authorization_code"},
                                              {"code", q.at("code")},
                                              {"redirect_uri", std::string(kRedirect)},
                                              {"code_verifier", pkce.verifier},
                                              {"client_id", spa().id}}));
    EXPECT_EQ(token.status, 200) << token.body;
    return token.status == 200 ? token.json() : json::object();
  }

  static void expect_page(const Response& r, int status, const std::string& text) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
    EXPECT_NE(r.body.find(text), std::string::npos) << r.body;
  }

  static SuiteServer* suite_;
  static MailSink* sink_;
};
SuiteServer* Accounts::suite_ = nullptr;
MailSink* Accounts::sink_ = nullptr;

// ---- Registration ----

TEST_F(Accounts, SignUpFromTheLoginPageVerifyTheAddressAndSignIn) {
  Browser b(port(), "10.1.0.1");
  Pkce pkce;
  const Response login = b.get("/authorize?" + encode(spa_request(pkce)));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_NE(login.body.find("<a href=\"recover\">Forgot your password?</a>"), std::string::npos);
  // The login page links to sign-up with the authorization request.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(login.body, m, std::regex("href=\"(signup\\?[^\"]+)\"")))
      << login.body;
  const std::string signup_href = html_unescape(m[1].str());
  EXPECT_EQ(query_of("/" + signup_href), query_of("/x?" + encode(spa_request(pkce))));

  const Response page = b.get("/" + signup_href);
  expect_page(page, 200, "<form method=\"post\" action=\"signup\"");
  for (const char* attribute :
       {"autocomplete=\"username\"", "autocomplete=\"email\"", "autocomplete=\"given-name\"",
        "autocomplete=\"family-name\"", "autocomplete=\"new-password\""}) {
    EXPECT_NE(page.body.find(attribute), std::string::npos) << attribute;
  }
  const Response created =
      submit(b, "/signup", page, signup_fields("Newbie", "newbie@example.com"));
  ASSERT_EQ(created.status, 303) << created.body;
  // Signed in as POST /login signs in: a session cookie, and back to /authorize.
  EXPECT_EQ(created.header("Location").value_or("").rfind("authorize?", 0), 0u);
  EXPECT_FALSE(b.session_cookie().empty());
  EXPECT_EQ(verified("newbie"), "f");
  const std::string user_id =
      db().scalar("SELECT id::text FROM users WHERE username = 'newbie'").value_or("");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM browser_sessions WHERE user_id = '" + user_id + "'"),
            "1");

  // The verification mail; its link shows a page and verifies nothing until the button.
  auto mail = sink_->next_for("newbie@example.com");
  ASSERT_TRUE(mail.has_value()) << suite_->process().output();
  EXPECT_NE(mail->text.find("24 hours"), std::string::npos) << mail->text;
  const std::string link = mailed_path(*mail, "/verify-email?token=");
  Browser mail_client(port(), "10.1.0.2");
  const Response confirm = mail_client.get(link);
  expect_page(confirm, 200, "action=\"verify-email\"");
  EXPECT_EQ(mail_client.get(link).status, 200) << "a GET does not use the link";
  EXPECT_EQ(verified("newbie"), "f");
  // The POST needs its CSRF token.
  Params forged = hidden_fields(confirm.body);
  forged.erase(forged.begin());
  expect_page(mail_client.post("/verify-email", forged), 403, "This page has expired");
  EXPECT_EQ(verified("newbie"), "f");
  expect_page(submit(mail_client, "/verify-email", confirm, {}), 200,
              "Your e-mail address is verified");
  EXPECT_EQ(verified("newbie"), "t");
  // Used once only.
  expect_page(submit(mail_client, "/verify-email", confirm, {}), 400, "This link does not work");
  expect_page(mail_client.get(link), 400, "This link does not work");

  // The signed-in browser carries on to the client; userinfo says the address is verified.
  Response next = b.follow(created);
  if (next.body.find("action=\"consent\"") != std::string::npos) {
    next = submit(b, "/consent", next, {{"decision", "allow"}});
  }
  const json tokens = exchange(next, pkce);
  ASSERT_TRUE(tokens.contains("access_token")) << tokens;
  const Response info =
      test::get(port(), "/userinfo",
                "Authorization: Bearer " + tokens["access_token"].get<std::string>() + "\r\n");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json()["email"], "newbie@example.com");
  EXPECT_EQ(info.json()["email_verified"], true);
  EXPECT_EQ(info.json()["preferred_username"], "newbie");
  EXPECT_EQ(info.json()["name"], "New Comer");

  // And the new password signs in from another browser.
  Browser other(port(), "10.1.0.3");
  EXPECT_TRUE(sign_in(other, "newbie", kPassword).contains("access_token"));
}

TEST_F(Accounts, SignUpWithoutAnAuthorizationRequestGoesToTheAccountPage) {
  Browser b(port(), "10.1.1.1");
  const Response page = b.get("/signup");
  expect_page(page, 200, "action=\"signup\"");
  EXPECT_EQ(page.body.find("Already have an account?"), std::string::npos);
  const Response created = submit(b, "/signup", page, signup_fields("loner", "loner@example.com"));
  ASSERT_EQ(created.status, 303) << created.body;
  EXPECT_EQ(created.header("Location"), "account");
  EXPECT_FALSE(b.session_cookie().empty());
  EXPECT_TRUE(sink_->next_for("loner@example.com").has_value());
}

TEST_F(Accounts, BadSignUpsChangeNothingAndSayWhy) {
  add_user("taken", "taken@example.com");
  Browser b(port(), "10.1.2.1");
  const Response page = b.get("/signup");
  ASSERT_EQ(page.status, 200);
  const std::string before = user_count();
  struct Case {
    Params fields;
    std::string message;
    std::string invalid_field;
  };
  const std::vector<Case> cases = {
      {signup_fields("weakling", "weak@example.com", "password1"), "attackers try", "password"},
      {signup_fields("shorty", "short@example.com", "abc"), "at least 8", "password"},
      {signup_fields("samename", "same@example.com", "my-samename-pass"),
       "Do not use your username", "password"},
      {signup_fields("TAKEN", "other@example.com"), "That username is taken", "username"},
      {signup_fields("no@sign", "x@example.com"), "Use only letters", "username"},
      {signup_fields("ab", "x@example.com"), "3 to 64", "username"},
      {signup_fields("mailless", "not-an-address"), "valid e-mail", "email"},
      {signup_fields("twoats", "a@b@example.com"), "valid e-mail", "email"},
      {signup_fields("spacey", "a b@example.com"), "valid e-mail", "email"},
      {signup_fields("nodomain", "a@example"), "valid e-mail", "email"},
      {signup_fields("huge", std::string(320, 'a') + "@example.com"), "valid e-mail", "email"},
      {signup_fields("ctrl", "ctrl@example.com\x01"), "valid e-mail", "email"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fields[0].second + " / " + c.fields[1].second);
    const Response r = submit(b, "/signup", page, c.fields);
    expect_page(r, 400, c.message);
    EXPECT_FALSE(r.header("Location").has_value());
    // The field is marked, and the password is never sent back.
    EXPECT_TRUE(std::regex_search(
        r.body, std::regex("id=\"" + c.invalid_field + "\"[^>]*aria-invalid=\"true\"")))
        << r.body;
    EXPECT_EQ(r.body.find("value=\"" + c.fields[4].second + "\""), std::string::npos);
  }
  // What was typed comes back escaped.
  Params hostile = signup_fields("ab", "\"><script>@example.com");
  hostile[2].second = "<b>Bold</b>";
  const Response escaped = submit(b, "/signup", page, hostile);
  expect_page(escaped, 400, "3 to 64");
  EXPECT_EQ(escaped.body.find("<b>Bold"), std::string::npos);
  EXPECT_EQ(escaped.body.find("<script>"), std::string::npos);
  EXPECT_NE(escaped.body.find("value=\"&lt;b&gt;Bold&lt;/b&gt;\""), std::string::npos);
  EXPECT_NE(escaped.body.find("value=\"&quot;&gt;&lt;script&gt;@example.com\""), std::string::npos);
  // Without the CSRF token, or without the pre-login cookie: 403, nothing read.
  Params no_token = signup_fields("forged", "forged@example.com");
  expect_page(b.post("/signup", no_token), 403, "This page has expired");
  Browser cookieless(port(), "10.1.2.2");
  expect_page(submit(cookieless, "/signup", page, signup_fields("forged", "forged@example.com")),
              403, "This page has expired");
  EXPECT_EQ(user_count(), before);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM users WHERE username IN ('weakling', 'forged')"),
            "0");
  EXPECT_TRUE(b.session_cookie().empty());
  expect_no_mail("forged@example.com");
  EXPECT_EQ(sink_->count_for("taken@example.com"), 0u);
}

// Every new form field fed a NUL, invalid UTF-8, a repeat and a huge value: a body that
// does not decode has no readable CSRF token (403, nothing read); a repeated or oversized
// field is refused (400). Nothing is created, no mail is sent.
TEST_F(Accounts, MalformedRepeatedAndHugeFieldsChangeNothing) {
  add_user("hygiene", "hygiene@example.com");
  // Past every field's limit but within the HTTP layer's; beyond that the answer is 413.
  const std::string huge(4 * 1024, 'a');
  const std::string too_large(64 * 1024, 'a');
  const std::string before = user_count();
  struct Form {
    std::string path;   // page and form
    Params valid;       // the form's own fields, acceptable
    std::string field;  // the one to spoil
  };
  const std::vector<Form> forms = {
      {"/signup", signup_fields("freshname", "fresh@example.com"), "username"},
      {"/signup", signup_fields("freshname", "fresh@example.com"), "email"},
      {"/signup", signup_fields("freshname", "fresh@example.com"), "password"},
      {"/recover", {{"account", "hygiene"}}, "account"},
  };
  int n = 0;
  for (const auto& f : forms) {
    for (const std::string& bad : {std::string("x\0y", 3), std::string("\xff\xfe")}) {
      SCOPED_TRACE(f.path + " " + f.field + " #" + std::to_string(n));
      Browser b(port(), "10.1.9." + std::to_string(++n));
      const Response page = b.get(f.path);
      Params fields = f.valid;
      for (auto& [name, value] : fields) {
        if (name == f.field) value = bad;
      }
      expect_page(submit(b, f.path, page, fields), 403, "");
    }
    {
      SCOPED_TRACE(f.path + " " + f.field + " repeated");
      Browser b(port(), "10.1.9." + std::to_string(++n));
      const Response page = b.get(f.path);
      Params fields = f.valid;
      for (const auto& [name, value] : f.valid) {
        if (name == f.field) fields.emplace_back(name, value);
      }
      EXPECT_EQ(submit(b, f.path, page, fields).status, 400);
    }
    {
      SCOPED_TRACE(f.path + " " + f.field + " huge");
      Browser b(port(), "10.1.9." + std::to_string(++n));
      const Response page = b.get(f.path);
      Params fields = f.valid;
      for (auto& [name, value] : fields) {
        if (name == f.field) value = huge;
      }
      EXPECT_EQ(submit(b, f.path, page, fields).status, 400);
      for (auto& [name, value] : fields) {
        if (name == f.field) value = too_large;
      }
      EXPECT_EQ(submit(b, f.path, page, fields).status, 413);
    }
  }
  EXPECT_EQ(user_count(), before);
  expect_no_mail("hygiene@example.com");
  expect_no_mail("fresh@example.com");

  // The mailed links' token, spoiled the same ways, opens nothing.
  for (const std::string& path : {std::string("/reset"), std::string("/verify-email")}) {
    for (const std::string& token :
         {std::string("x\0y", 3), std::string("\xff"), huge, std::string(43, 'A')}) {
      SCOPED_TRACE(path);
      Browser b(port(), "10.1.9." + std::to_string(++n));
      const Response r = b.get(path + "?" + encode({{"token", token}}));
      EXPECT_EQ(r.status, 400);
      EXPECT_EQ(r.body.find(huge), std::string::npos);
    }
    Browser b(port(), "10.1.9." + std::to_string(++n));
    EXPECT_EQ(
        b.get(path + "?token=" + std::string(43, 'A') + "&token=" + std::string(43, 'B')).status,
        400)
        << "a repeated token";
  }
}

TEST_F(Accounts, RegistrationClosedIsNotFound) {
  SuiteServer closed(base_env());
  closed.register_client("spa", "SPA",
                         {"--grant-types", "authorization_code", "--scopes", "openid", "--public",
                          "--redirect-uri", std::string(kRedirect)});
  closed.start();
  Browser b(closed.port(), "10.1.3.1");
  expect_page(b.get("/signup"), 404, "Page not found");
  expect_page(b.post("/signup", signup_fields("closed", "closed@example.com")), 404,
              "Page not found");
  Pkce pkce;
  const Response login = b.get("/authorize?" + encode({{"client_id", closed.client("spa").id},
                                                       {"redirect_uri", std::string(kRedirect)},
                                                       {"response_type", "code"},
                                                       {"scope", "openid"},
                                                       {"code_challenge", pkce.challenge},
                                                       {"code_challenge_method", "S256"}}));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.body.find("Create an account"), std::string::npos);
  EXPECT_NE(login.body.find("Forgot your password?"), std::string::npos);
  EXPECT_EQ(closed.database().scalar("SELECT count(*) FROM users"), "0");
}

// ---- Password recovery ----

TEST_F(Accounts, ResetEndsEveryGrantAndSessionAndTheNewPasswordWorks) {
  const std::string id = add_user("erin", "erin@example.com");
  Browser old_browser(port(), "10.2.0.1");
  const json old_tokens = sign_in(old_browser, "erin", kPassword, "openid offline_access");
  ASSERT_TRUE(old_tokens.contains("refresh_token")) << old_tokens;
  ASSERT_EQ(db().scalar("SELECT count(*) FROM browser_sessions WHERE user_id = '" + id + "'"), "1");

  Browser b(port(), "10.2.0.2");
  expect_page(recover(b, "erin"), 200, "Check your mail");
  const std::string link = next_link("erin@example.com", "/reset?token=");
  ASSERT_FALSE(link.empty());
  const Response form = b.get(link);
  expect_page(form, 200, "action=\"reset\"");
  EXPECT_NE(form.body.find("autocomplete=\"new-password\""), std::string::npos);
  // A refused password leaves everything as it was, the link included.
  const Response weak = submit(b, "/reset", form, {{"password", "erin12345"}});
  expect_page(weak, 400, "aria-invalid=\"true\"");
  EXPECT_NE(sign_in(old_browser, "erin", kPassword).count("access_token"), 0u) << "still signed in";
  const Response missing_csrf = [&] {
    Params f = hidden_fields(form.body);
    f.erase(f.begin());
    f.emplace_back("password", std::string(kNewPassword));
    return b.post("/reset", f);
  }();
  expect_page(missing_csrf, 403, "This page has expired");

  expect_page(submit(b, "/reset", form, {{"password", std::string(kNewPassword)}}), 200,
              "You can now sign in from the application");
  // Every refresh token and browser session of erin is gone.
  const Response refreshed = test::post(port(), "/token",
                                        encode({{"grant_type", "refresh_token"},
                                                {"refresh_token", old_tokens["refresh_token"]},
                                                {"client_id", spa().id}}));
  EXPECT_EQ(refreshed.status, 400) << refreshed.body;
  EXPECT_EQ(refreshed.json()["error"], "invalid_grant");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM browser_sessions WHERE user_id = '" + id + "'"), "0");
  Pkce pkce;
  EXPECT_NE(
      old_browser.get("/authorize?" + encode(spa_request(pkce))).body.find("action=\"login\""),
      std::string::npos)
      << "the old browser must sign in again";
  // The old password is refused, the new one works.
  Browser fresh(port(), "10.2.0.3");
  const Response login = fresh.get("/authorize?" + encode(spa_request(pkce)));
  EXPECT_EQ(
      submit(fresh, "/login", login, {{"username", "erin"}, {"password", std::string(kPassword)}})
          .status,
      200);
  EXPECT_TRUE(sign_in(fresh, "erin", kNewPassword).contains("access_token"));
  // The logs name what happened, never the link's token or a password.
  const std::string logs = suite_->process().output();
  EXPECT_NE(logs.find("\"password reset\""), std::string::npos) << logs;
  EXPECT_EQ(logs.find(link.substr(link.find("token=") + 6)), std::string::npos);
  EXPECT_EQ(logs.find(std::string(kNewPassword)), std::string::npos);
  EXPECT_EQ(logs.find("erin12345"), std::string::npos);
  // The link worked once.
  expect_page(b.get(link), 400, "This link does not work");
  expect_page(submit(b, "/reset", form, {{"password", "yet another passphrase"}}), 400,
              "This link does not work");
}

TEST_F(Accounts, RecoveryAnswersTheSameWhetherOrNotTheAccountExists) {
  add_user("frank", "frank@example.com");
  const std::string disabled = "grace";
  add_user(disabled, "grace@example.com");
  db().exec("UPDATE users SET disabled = true WHERE username = 'grace'");
  add_user("noaddress", std::nullopt);

  Browser b(port(), "10.2.1.1");
  const Response known = recover(b, "frank");
  expect_page(known, 200, "Check your mail");
  for (const std::string account : {"nobody", "nobody@example.com", "grace", "grace@example.com",
                                    "noaddress", "FRANK@example.COM"}) {
    SCOPED_TRACE(account);
    Browser other(port(), "10.2.1.2");
    const Response r = recover(other, account);
    EXPECT_EQ(r.status, known.status);
    EXPECT_EQ(r.body, known.body);
    EXPECT_EQ(r.header("Set-Cookie"), known.header("Set-Cookie"));
  }
  // frank got two mails (by name, then by address in another case); grace none.
  EXPECT_TRUE(sink_->next_for("frank@example.com").has_value());
  EXPECT_TRUE(sink_->next_for("frank@example.com").has_value());
  expect_no_mail("grace@example.com");
  expect_no_mail("nobody@example.com");
  // An empty field re-renders the form.
  expect_page(recover(b, ""), 400, "Enter your username or e-mail address.");
  // No CSRF token: 403.
  expect_page(b.post("/recover", {{"account", "frank"}}), 403, "This page has expired");
}

TEST_F(Accounts, ExpiredAndUnknownLinksAreRefused) {
  const std::string id = add_user("heidi", "heidi@example.com");
  Browser b(port(), "10.2.2.1");
  expect_page(recover(b, "heidi"), 200, "Check your mail");
  const std::string link = next_link("heidi@example.com", "/reset?token=");
  ASSERT_EQ(b.get(link).status, 200);
  const Response form = b.get(link);
  // Aged past its 30 minutes.
  db().exec(
      "UPDATE account_links SET created_at = now() - interval '31 minutes',"
      " expires_at = now() - interval '1 minute' WHERE user_id = '" +
      id + "'");
  expect_page(b.get(link), 400, "This link does not work");
  expect_page(submit(b, "/reset", form, {{"password", std::string(kNewPassword)}}), 400,
              "This link does not work");
  expect_page(b.get("/reset?token=" + random_token()), 400, "This link does not work");
  expect_page(b.get("/reset?token=short"), 400, "This link does not work");
  expect_page(b.get("/reset"), 400, "This link does not work");
  expect_page(b.get("/verify-email?token=" + random_token()), 400, "This link does not work");

  // A verification link past its 24 hours.
  Browser s(port(), "10.2.2.2");
  const Response page = s.get("/signup");
  ASSERT_EQ(submit(s, "/signup", page, signup_fields("ivan", "ivan@example.com")).status, 303);
  const std::string verify = next_link("ivan@example.com", "/verify-email?token=");
  const Response confirm = s.get(verify);
  ASSERT_EQ(confirm.status, 200);
  db().exec(
      "UPDATE account_links SET expires_at = now() - interval '1 second'"
      " WHERE purpose = 'verify_email' AND email = 'ivan@example.com'");
  expect_page(submit(s, "/verify-email", confirm, {}), 400, "This link does not work");
  EXPECT_EQ(verified("ivan"), "f");
}

TEST_F(Accounts, ASecondResetRequestInvalidatesTheFirstLink) {
  add_user("judy", "judy@example.com");
  Browser b(port(), "10.2.3.1");
  recover(b, "judy");
  const std::string first = next_link("judy@example.com", "/reset?token=");
  recover(b, "judy");
  const std::string second = next_link("judy@example.com", "/reset?token=");
  ASSERT_NE(first, second);
  expect_page(b.get(first), 400, "This link does not work");
  expect_page(b.get(second), 200, "action=\"reset\"");
}

TEST_F(Accounts, MailsAreLimitedPerAccountAndPerAddress) {
  // Per account: from different addresses, only kMailLimit mails an hour.
  add_user("ken", "ken@example.com");
  for (int i = 0; i < kMailLimit + 2; ++i) {
    Browser b(port(), "10.3.0." + std::to_string(i + 1));
    expect_page(recover(b, "ken"), 200, "Check your mail");
  }
  for (int i = 0; i < kMailLimit; ++i) EXPECT_TRUE(sink_->next_for("ken@example.com").has_value());
  expect_no_mail("ken@example.com");
  EXPECT_EQ(sink_->count_for("ken@example.com"), static_cast<size_t>(kMailLimit));

  // Per address: one address asking for many accounts.
  Browser one(port(), "10.3.1.1");
  Response first_answer;
  for (int i = 0; i < kMailLimit + 1; ++i) {
    const std::string name = "lim" + std::to_string(i);
    add_user(name, name + "@example.com");
    const Response r = recover(one, name);
    expect_page(r, 200, "Check your mail");
    if (i == 0) first_answer = r;
    EXPECT_EQ(r.body, first_answer.body) << "over the limit: the same answer";
  }
  for (int i = 0; i < kMailLimit; ++i) {
    EXPECT_TRUE(sink_->next_for("lim" + std::to_string(i) + "@example.com").has_value()) << i;
  }
  expect_no_mail("lim" + std::to_string(kMailLimit) + "@example.com");
}

}  // namespace
}  // namespace keyward::test
