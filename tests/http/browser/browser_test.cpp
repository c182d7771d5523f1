// Black-box tests of browser sign-in over loopback: /authorize, the login and
// consent pages, the code exchange at /token, /userinfo and /logout, against the real
// `keyward serve` on its own migrated database, with clients registered through the real
// `keyward client create`. Every refusal the issue lists is asserted exactly: the page
// (never a redirect) for an unverified client or redirect_uri, the redirect with error,
// state and iss after it, invalid_grant with its JSON at the token endpoint.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <regex>
#include <thread>

#include "common/crypto.h"
#include "grants/id_token.h"
#include "grants/pkce.h"
#include "http/form.h"
#include "http/headers.h"
#include "jose/alg.h"
#include "storage/database.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
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
constexpr std::string_view kIssuer = "http://127.0.0.1:9";
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kSpaRedirect = "https://spa.example/callback";
constexpr std::string_view kWebRedirect = "https://web.example/cb?tenant=7";
constexpr std::string_view kWrongCredentials = "The username or password is incorrect.";

struct Pkce {
  std::string verifier = random_token(48);
  std::string challenge = grants::pkce_s256_challenge(verifier);
};

class BrowserFlow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    suite_ = new SuiteServer({{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
                              {"KEYWARD_ISSUER", std::string(kIssuer)},
                              {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
                              {"KEYWARD_ARGON2_ITERATIONS", "5"}});
    register_client(
        "SPA", "spa",
        {"--grant-types", "authorization_code,refresh_token", "--scopes",
         "openid profile email offline_access read", "--public", "--redirect-uri",
         std::string(kSpaRedirect), "--post-logout-redirect-uri", "https://spa.example/bye"});
    // A name that must be escaped wherever a page shows it.
    register_client("Web <b>\"App\"</b> & Co", "web",
                    {"--grant-types", "authorization_code", "--scopes", "openid profile email",
                     "--redirect-uri", std::string(kWebRedirect)});
    register_client(
        "First", "first",
        {"--grant-types", "authorization_code", "--scopes", "openid profile", "--public",
         "--first-party", "--redirect-uri", "http://127.0.0.1:7777/callback"});
    register_client(
        "Resource server", "rs",
        {"--grant-types", "client_credentials", "--scopes", "introspect", "--introspect"});

    auto db = suite_->database().open();
    alice_id_ = new std::string(insert_user(
        db, storage::NewUser{"alice", "alice@example.com", "Alice", "Liddell", ""}, kPassword));
    // Tests that depend on what a user allowed before each have a user of their own, so
    // they also pass when run in one process (one server, one database).
    for (const char* name : {"bob", "carol"}) {
      insert_user(db, storage::NewUser{name, std::nullopt, std::nullopt, std::nullopt, ""},
                  kPassword);
    }

    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete alice_id_;
    suite_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    ASSERT_EQ(test::get(port(), "/health/ready").status, 200) << suite_->process().output();
  }

  static void register_client(const std::string& name, const std::string& key,
                              const std::vector<std::string>& args) {
    suite_->register_client(key, name, args);
  }

  static uint16_t port() { return suite_->port(); }
  static const RegisteredClient& client(const std::string& key) { return suite_->client(key); }
  static std::string basic(const RegisteredClient& c) {
    return basic_authorization(c.id, c.secret);
  }

  // An SPA authorization request with PKCE, state and nonce; `extra` adds or replaces.
  static Params spa_request(const Pkce& pkce, Params extra = {}) {
    Params p = {{"client_id", client("spa").id},
                {"redirect_uri", std::string(kSpaRedirect)},
                {"response_type", "code"},
                {"scope", "openid profile email"},
                {"state", "st<&>\"1"},
                {"nonce", "n-0S6_WzA2Mj"},
                {"code_challenge", pkce.challenge},
                {"code_challenge_method", "S256"}};
    for (auto& [k, v] : extra) {
      auto it = std::find_if(p.begin(), p.end(), [&](const auto& e) { return e.first == k; });
      if (it != p.end()) {
        it->second = v;
      } else {
        p.emplace_back(k, v);
      }
    }
    p.erase(std::remove_if(p.begin(), p.end(), [](const auto& e) { return e.second == "\x01"; }),
            p.end());
    return p;
  }
  static constexpr const char* kDrop = "\x01";

  // Submits the login page `page` for `user`: the 303 back to /authorize.
  static Response submit_login(Browser& b, const Response& page, std::string_view user,
                               std::string_view password = kPassword) {
    Params form = hidden_fields(page.body);
    form.emplace_back("username", std::string(user));
    form.emplace_back("password", std::string(password));
    return b.post("/login", form);
  }
  static Response submit_consent(Browser& b, const Response& page, std::string_view decision) {
    Params form = hidden_fields(page.body);
    form.emplace_back("decision", std::string(decision));
    return b.post("/consent", form);
  }

  // The whole browser side: login page, sign-in, consent when asked; returns the final
  // redirect to the client.
  static Response sign_in_and_allow(Browser& b, const Params& request,
                                    std::string_view user = "alice") {
    Response r = b.get("/authorize?" + encode(request));
    if (r.status == 200 && r.body.find("action=\"login\"") != std::string::npos) {
      Response back = submit_login(b, r, user);
      EXPECT_EQ(back.status, 303) << back.body;
      r = b.follow(back);
    }
    if (r.status == 200 && r.body.find("action=\"consent\"") != std::string::npos) {
      r = submit_consent(b, r, "allow");
      EXPECT_EQ(r.status, 303) << r.body;
    }
    return r;
  }
  static std::string code_from(const Response& r) {
    EXPECT_TRUE(r.status == 302 || r.status == 303) << r.status_line << r.body;
    const auto q = query_of(r.header("Location").value_or(""));
    EXPECT_EQ(q.count("code"), 1u) << r.header("Location").value_or("");
    return q.count("code") ? q.at("code") : "";
  }

  static Response exchange(const std::string& code, const Pkce& pkce,
                           std::string redirect_uri = std::string(kSpaRedirect)) {
    return test::post(port(), "/token",
                      encode({{"grant_type", "authorization_code"},
                              {"code", code},
                              {"redirect_uri", redirect_uri},
                              {"code_verifier", pkce.verifier},
                              {"client_id", client("spa").id}}));
  }
  // The SPA's refresh grant (a public client's refresh token is introspectable by nobody:
  // only its own client may ask about it, and a public client cannot authenticate there).
  static Response refresh_with(const std::string& refresh_token) {
    return test::post(port(), "/token",
                      encode({{"grant_type", "refresh_token"},
                              {"refresh_token", refresh_token},
                              {"client_id", client("spa").id}}));
  }
  static Response introspect(const std::string& token) {
    return test::post(port(), "/introspect", encode({{"token", token}}),
                      "application/x-www-form-urlencoded", basic(client("rs")));
  }

  static void expect_invalid_grant(const Response& r, const std::string& description) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json(), (json{{"error", "invalid_grant"}, {"error_description", description}}));
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
  }
  // An error redirect to `redirect_uri` with exactly error, error_description, state, iss.
  static void expect_error_redirect(const Response& r, int status, std::string_view redirect_uri,
                                    const std::string& error, const std::string& description,
                                    const std::optional<std::string>& state = "st<&>\"1") {
    EXPECT_EQ(r.status, status) << r.body;
    const std::string location = r.header("Location").value_or("");
    EXPECT_EQ(location.substr(0, redirect_uri.size()), redirect_uri) << location;
    std::map<std::string, std::string> expected = {
        {"error", error}, {"error_description", description}, {"iss", std::string(kIssuer)}};
    if (state) expected["state"] = *state;
    EXPECT_EQ(query_of(location), expected) << location;
  }
  // An HTML error page: no Location, the page headers, the text shown.
  static void expect_error_page(const Response& r, int status, const std::string& text) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_FALSE(r.header("Location").has_value());
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find(text), std::string::npos) << r.body;
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
  }

  static SuiteServer* suite_;
  static std::string* alice_id_;
};
SuiteServer* BrowserFlow::suite_ = nullptr;
std::string* BrowserFlow::alice_id_ = nullptr;

// ---- /authorize before the redirect URI is verified: a page, never a redirect ----

TEST_F(BrowserFlow, Rfc6749_4_1_2_1_UnknownClientOrUnregisteredRedirectUriGetsAPageNotARedirect) {
  Pkce pkce;
  Browser b(port(), "10.0.1.1");
  expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"client_id", "nope"}}))), 400,
                    "this application is not registered");
  expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"client_id", kDrop}}))), 400,
                    "client_id is missing");
  expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"redirect_uri", kDrop}}))),
                    400, "redirect_uri is missing");
  // Exact, character-for-character matching (RFC 9700 §4.1.3): every near miss is refused.
  for (const std::string variant :
       {"https://spa.example/callback/", "https://spa.example/callback?x=1",
        "https://spa.example/callbackx", "https://spa.example/callback#frag",
        "https://spa.example:443/callback", "https://spa.example:8443/callback",
        "http://spa.example/callback", "https://SPA.example/callback",
        "https://spa.example/Callback", "https://spa.example/callback/../callback",
        "https://spa.example.evil.example/callback", "https://spa.example/callback%2F",
        "https://spa.example", "https://web.example/cb?tenant=7"}) {
    SCOPED_TRACE(variant);
    expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"redirect_uri", variant}}))),
                      400, "redirect_uri is not registered for this application");
  }
  // A repeated client_id or redirect_uri is refused before either is trusted.
  const std::string repeated =
      encode(spa_request(pkce)) + "&" + encode({{"redirect_uri", "https://evil.example/callback"}});
  expect_error_page(b.get("/authorize?" + repeated), 400, "redirect_uri is repeated");
  EXPECT_TRUE(b.cookie().empty()) << "no session for refused requests";
}

// ---- /authorize after it: errors go back with state and iss (RFC 9207) ----

TEST_F(BrowserFlow, Rfc7636_PublicClientWithoutPkceOrWithPlainPkceIsRefusedByRedirect) {
  Pkce pkce;
  Browser b(port(), "10.0.2.1");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"code_challenge", kDrop},
                                                      {"code_challenge_method", kDrop}}))),
      302, kSpaRedirect, "invalid_request",
      "PKCE is required for public clients: send code_challenge with code_challenge_method=S256");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"code_challenge_method", "plain"},
                                                      {"code_challenge", pkce.verifier}}))),
      302, kSpaRedirect, "invalid_request",
      "code_challenge_method must be S256 (plain is not supported)");
  // No method means plain (RFC 7636 §4.3): refused the same way.
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"code_challenge_method", kDrop}}))), 302,
      kSpaRedirect, "invalid_request",
      "code_challenge_method must be S256 (plain is not supported)");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"code_challenge", "tooshort"}}))), 302,
      kSpaRedirect, "invalid_request",
      "code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)");
}

TEST_F(BrowserFlow, Rfc6749_4_1_2_1_OtherBadRequestsRedirectWithStateAndIss) {
  Pkce pkce;
  Browser b(port(), "10.0.3.1");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"response_type", "token"}}))), 302,
      kSpaRedirect, "unsupported_response_type", "only response_type=code is supported");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"response_type", "code id_token"}}))), 302,
      kSpaRedirect, "unsupported_response_type", "only response_type=code is supported");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"response_type", kDrop}}))), 302,
      kSpaRedirect, "invalid_request", "response_type is missing");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"scope", "openid admin"}}))), 302,
      kSpaRedirect, "invalid_scope", "scope exceeds what this application may request");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"prompt", "none login"}}))), 302,
      kSpaRedirect, "invalid_request",
      "prompt must be none, or any of login, consent, select_account");
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"max_age", "-1"}}))), 302,
                        kSpaRedirect, "invalid_request", "max_age must be a non-negative integer");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce)) + "&" + encode({{"scope", "openid"}})), 302,
      kSpaRedirect, "invalid_request", "parameter scope is repeated");
  // Without state, none is sent back.
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"response_type", "token"},
                                                                        {"state", kDrop}}))),
                        302, kSpaRedirect, "unsupported_response_type",
                        "only response_type=code is supported", std::nullopt);
}

TEST_F(BrowserFlow, OidcCore_3_1_2_1_PromptNoneWithoutSessionIsLoginRequired) {
  Pkce pkce;
  Browser b(port(), "10.0.4.1");
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"prompt", "none"}}))), 302,
                        kSpaRedirect, "login_required", "the user is not signed in");
}

// ---- The pages ----

TEST_F(BrowserFlow, LoginPageHasSecurityHeadersSessionCookieAndEscapesEverything) {
  Browser b(port(), "10.0.5.1");
  const Params request = {{"client_id", client("web").id},
                          {"redirect_uri", std::string(kWebRedirect)},
                          {"response_type", "code"},
                          {"scope", "openid"},
                          {"state", "\"><script>alert(1)</script>"},
                          {"login_hint", "<b>alice</b>"}};
  const Response r = b.get("/authorize?" + encode(request));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  const std::string csp = r.header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  // The pre-login cookie the form's CSRF token is bound to (no session before sign-in):
  // opaque, HttpOnly, SameSite=Lax (plain http issuer: no Secure, no __Host- prefix).
  const std::string cookie = r.header("Set-Cookie").value_or("");
  EXPECT_TRUE(std::regex_match(
      cookie, std::regex("keyward_login=[A-Za-z0-9_-]{43}; Path=/; Max-Age=3600; HttpOnly; "
                         "SameSite=Lax")))
      << cookie;
  // Nothing from the request or the client's name comes out unescaped.
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_EQ(r.body.find("<b>"), std::string::npos);
  EXPECT_NE(r.body.find("Web &lt;b&gt;&quot;App&quot;&lt;/b&gt; &amp; Co"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"&lt;b&gt;alice&lt;/b&gt;\""), std::string::npos);
  EXPECT_NE(r.body.find("<label for=\"username\">Username</label>"), std::string::npos);
  EXPECT_NE(r.body.find("<label for=\"password\">Password</label>"), std::string::npos);
  // The form carries the request back verbatim.
  const Params fields = hidden_fields(r.body);
  ASSERT_FALSE(fields.empty());
  EXPECT_EQ(fields.front().first, "csrf_token");
  EXPECT_EQ(Params(fields.begin() + 1, fields.end()),
            (Params{{"client_id", client("web").id},
                    {"redirect_uri", std::string(kWebRedirect)},
                    {"response_type", "code"},
                    {"scope", "openid"},
                    {"state", "\"><script>alert(1)</script>"},
                    {"login_hint", "<b>alice</b>"}}));
  // The stylesheet the page links to.
  const Response css = test::get(port(), "/assets/keyward.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(BrowserFlow, CsrfTokenIsRequiredAndBoundToTheSession) {
  Pkce pkce;
  Browser b(port(), "10.0.6.1");
  const Response page = b.get("/authorize?" + encode(spa_request(pkce)));
  ASSERT_EQ(page.status, 200);
  Params form = hidden_fields(page.body);
  form.emplace_back("username", "alice");
  form.emplace_back("password", std::string(kPassword));
  auto without = [&](std::string_view name) {
    Params out;
    for (const auto& f : form)
      if (f.first != name) out.push_back(f);
    return out;
  };
  const std::string forbidden = "This page has expired";
  // No token.
  expect_error_page(b.post("/login", without("csrf_token")), 403, forbidden);
  // A wrong token.
  Params wrong = without("csrf_token");
  wrong.emplace_back("csrf_token", random_token());
  expect_error_page(b.post("/login", wrong), 403, forbidden);
  // The right token from another browser's session (a forged cross-site post carries the
  // victim's cookie but the attacker's token).
  Browser attacker(port(), "10.0.6.2");
  const Response other = attacker.get("/authorize?" + encode(spa_request(pkce)));
  Params foreign = without("csrf_token");
  foreign.emplace_back("csrf_token", hidden_fields(other.body).front().second);
  expect_error_page(b.post("/login", foreign), 403, forbidden);
  // No session cookie at all.
  Browser cookieless(port(), "10.0.6.3");
  expect_error_page(cookieless.post("/login", form), 403, forbidden);
  // The consent form checks it too.
  expect_error_page(b.post("/consent", without("csrf_token")), 403, forbidden);
  // And with it, sign-in works.
  EXPECT_EQ(b.post("/login", form).status, 303);
}

TEST_F(BrowserFlow, AnonymousVisitsToAuthorizeWriteNoSessionRowsSignInWritesOne) {
  // Every anonymous GET /authorize used to insert a session row: a cheap way to fill the
  // table. Only sign-in writes one now.
  const auto rows = [&] {
    return std::stoi(
        suite_->database().scalar("SELECT count(*) FROM browser_sessions").value_or("-1"));
  };
  const int before = rows();
  Pkce pkce;
  for (int i = 0; i < 20; ++i) {
    Browser visitor(port(), "10.0.19." + std::to_string(i + 1));
    const Response page = visitor.get("/authorize?" + encode(spa_request(pkce)));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_NE(page.body.find("action=\"login\""), std::string::npos) << page.body;
  }
  // One browser coming back many times reuses its pre-login cookie.
  Browser b(port(), "10.0.19.100");
  const Response first = b.get("/authorize?" + encode(spa_request(pkce)));
  const std::string jar = b.cookie();
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(b.get("/authorize?" + encode(spa_request(pkce))).header("Set-Cookie"));
  }
  EXPECT_EQ(b.cookie(), jar);
  EXPECT_EQ(rows(), before) << "anonymous visits wrote session rows";
  // The login form still works, and writes exactly one signed-in session.
  const Response back = submit_login(b, first, "alice");
  ASSERT_EQ(back.status, 303) << back.body;
  EXPECT_FALSE(b.session_cookie().empty());
  EXPECT_EQ(rows(), before + 1);
}

TEST_F(BrowserFlow, WrongPasswordShowsOneMessageWhetherOrNotTheUserExistsAndIssuesNothing) {
  Pkce pkce;
  Browser b(port(), "10.0.7.1");
  const Response page = b.get("/authorize?" + encode(spa_request(pkce)));
  const std::string before = b.cookie();
  const Response wrong = submit_login(b, page, "alice", "not her password");
  const Response unknown = submit_login(b, page, "nobody", "not her password");
  for (const Response* r : {&wrong, &unknown}) {
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->header("Location").has_value());
    EXPECT_FALSE(r->header("Set-Cookie").has_value());
    EXPECT_NE(r->body.find(std::string(kWrongCredentials)), std::string::npos);
    EXPECT_NE(r->body.find("role=\"alert\""), std::string::npos);
  }
  // The two pages differ only in the username echoed back (and nothing else is issued:
  // the session is still the anonymous one).
  EXPECT_EQ(std::regex_replace(wrong.body, std::regex("alice"), "X"),
            std::regex_replace(unknown.body, std::regex("nobody"), "X"));
  EXPECT_EQ(b.cookie(), before);
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"prompt", "none"}}))), 302,
                        kSpaRedirect, "login_required", "the user is not signed in");
}

TEST_F(BrowserFlow, Rfc6749_4_1_2_1_DenySendsAccessDeniedWithState) {
  Pkce pkce;
  Browser b(port(), "10.0.8.1");
  Response r = b.get("/authorize?" + encode(spa_request(pkce)));
  r = b.follow(submit_login(b, r, "alice"));
  ASSERT_EQ(r.status, 200);
  ASSERT_NE(r.body.find("action=\"consent\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("See your email address"), std::string::npos);
  EXPECT_NE(r.body.find("See your name and username"), std::string::npos);
  EXPECT_NE(r.body.find("Alice Liddell (alice)"), std::string::npos);
  expect_error_redirect(submit_consent(b, r, "deny"), 303, kSpaRedirect, "access_denied",
                        "the user denied the request");
}

// ---- The code exchange ----

TEST_F(BrowserFlow, CodeWithPkceGivesAccessRefreshAndIdTokenAndUserinfo) {
  Pkce pkce;
  Browser b(port(), "10.0.9.1");
  const Response done =
      sign_in_and_allow(b, spa_request(pkce, {{"scope", "openid profile email offline_access"}}));
  const auto q = query_of(done.header("Location").value_or(""));
  EXPECT_EQ(q.at("state"), "st<&>\"1");
  EXPECT_EQ(q.at("iss"), kIssuer);
  EXPECT_EQ(q.at("code").size(), 43u);  // 256 bits
  // The session is now a signed-in one, with a new id (session fixation).
  const Response t = exchange(q.at("code"), pkce);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.header("Cache-Control"), "no-store");
  const json body = t.json();
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["scope"], "email offline_access openid profile");
  ASSERT_TRUE(body.contains("refresh_token"));
  ASSERT_TRUE(body.contains("id_token"));

  const json id = jwt_claims(body["id_token"]);
  EXPECT_EQ(id["iss"], kIssuer);
  EXPECT_EQ(id["sub"], *alice_id_);
  EXPECT_EQ(id["aud"], client("spa").id);
  EXPECT_EQ(id["azp"], client("spa").id);
  EXPECT_EQ(id["nonce"], "n-0S6_WzA2Mj");
  EXPECT_EQ(id["at_hash"],
            grants::at_hash(body["access_token"].get<std::string>(), jose::Alg::RS256));
  EXPECT_TRUE(id["auth_time"].is_number());
  EXPECT_LE(id["auth_time"].get<long long>(), id["iat"].get<long long>());
  EXPECT_EQ(id["name"], "Alice Liddell");
  EXPECT_EQ(id["preferred_username"], "alice");
  EXPECT_EQ(id["email"], "alice@example.com");

  const Response info =
      test::get(port(), "/userinfo",
                "Authorization: Bearer " + body["access_token"].get<std::string>() + "\r\n");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json(), (json{{"sub", *alice_id_},
                               {"preferred_username", "alice"},
                               {"given_name", "Alice"},
                               {"family_name", "Liddell"},
                               {"name", "Alice Liddell"},
                               {"email", "alice@example.com"},
                               {"email_verified", false}}));
  EXPECT_EQ(info.header("Cache-Control"), "no-store");
  // POST with the token in the body (RFC 6750 §2.2) answers the same.
  const Response posted =
      test::post(port(), "/userinfo", encode({{"access_token", body["access_token"]}}));
  EXPECT_EQ(posted.status, 200);
  EXPECT_EQ(posted.json(), info.json());

  // The refresh token works at the refresh grant (public client: client_id alone).
  const Response refreshed = test::post(port(), "/token",
                                        encode({{"grant_type", "refresh_token"},
                                                {"refresh_token", body["refresh_token"]},
                                                {"client_id", client("spa").id}}));
  EXPECT_EQ(refreshed.status, 200) << refreshed.body;
}

TEST_F(BrowserFlow, Rfc6749_4_1_2_CodeReplayIsInvalidGrantAndRevokesEverythingIssuedFromIt) {
  Pkce pkce;
  Browser b(port(), "10.0.10.1");
  const std::string code = code_from(sign_in_and_allow(b, spa_request(pkce)));
  const Response first = exchange(code, pkce);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string access = first.json()["access_token"];
  const std::string refresh = first.json()["refresh_token"];
  EXPECT_EQ(introspect(access).json()["active"], true);

  expect_invalid_grant(exchange(code, pkce),
                       "the authorization code was already used; its grant is revoked");
  EXPECT_EQ(introspect(access).json(), (json{{"active", false}}));
  const Response info = test::get(port(), "/userinfo", "Authorization: Bearer " + access + "\r\n");
  EXPECT_EQ(info.status, 401);
  const Response refreshed = test::post(port(), "/token",
                                        encode({{"grant_type", "refresh_token"},
                                                {"refresh_token", refresh},
                                                {"client_id", client("spa").id}}));
  expect_invalid_grant(refreshed, "the refresh token is invalid, expired or revoked");
}

TEST_F(BrowserFlow, ConcurrentRedemptionsOfOneCodeExactlyOneWins) {
  Pkce pkce;
  Browser b(port(), "10.0.11.1");
  const std::string code = code_from(sign_in_and_allow(b, spa_request(pkce)));
  constexpr int kRacers = 6;
  std::vector<std::future<Response>> racers;
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  for (int i = 0; i < kRacers; ++i) {
    racers.push_back(std::async(std::launch::async, [&, start] {
      start.wait();
      return exchange(code, pkce);
    }));
  }
  go.set_value();
  int won = 0;
  int refused = 0;
  for (auto& f : racers) {
    const Response r = f.get();
    if (r.status == 200) {
      ++won;
    } else {
      EXPECT_EQ(r.status, 400) << r.body;
      EXPECT_EQ(r.json()["error"], "invalid_grant");
      ++refused;
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(refused, kRacers - 1);
}

TEST_F(BrowserFlow, Rfc7636_4_6_WrongVerifierWrongRedirectUriAndMissingVerifierAreInvalidGrant) {
  Browser b(port(), "10.0.12.1");
  {
    Pkce pkce;
    const std::string code = code_from(sign_in_and_allow(b, spa_request(pkce)));
    Pkce other;
    expect_invalid_grant(exchange(code, other), "code_verifier does not match the code_challenge");
    // The code is spent: even the right verifier gets nothing now.
    expect_invalid_grant(exchange(code, pkce),
                         "the authorization code was already used; its grant is revoked");
  }
  {
    Pkce pkce;
    const std::string code = code_from(sign_in_and_allow(b, spa_request(pkce)));
    expect_invalid_grant(exchange(code, pkce, "https://spa.example/callback/"),
                         "redirect_uri does not match the authorization request");
  }
  {
    Pkce pkce;
    const std::string code = code_from(sign_in_and_allow(b, spa_request(pkce)));
    const Response r = test::post(port(), "/token",
                                  encode({{"grant_type", "authorization_code"},
                                          {"code", code},
                                          {"redirect_uri", std::string(kSpaRedirect)},
                                          {"client_id", client("spa").id}}));
    expect_invalid_grant(r, "code_verifier is required");
  }
  {
    Pkce pkce;
    expect_invalid_grant(exchange(random_token(), pkce),
                         "the authorization code is invalid, expired or revoked");
  }
}

TEST_F(BrowserFlow, Rfc9700_4_8_2_VerifierForACodeIssuedWithoutChallengeIsRefused) {
  // A confidential client may omit PKCE; then a code_verifier at the token endpoint means
  // the challenge was stripped (downgrade).
  Browser b(port(), "10.0.13.1");
  const Params request = {{"client_id", client("web").id},
                          {"redirect_uri", std::string(kWebRedirect)},
                          {"response_type", "code"},
                          {"scope", "openid email"},
                          {"state", "w1"}};
  const Response done = sign_in_and_allow(b, request);
  const std::string location = done.header("Location").value_or("");
  // The registered query is kept and ours appended.
  EXPECT_EQ(location.rfind(std::string(kWebRedirect) + "&code=", 0), 0u) << location;
  const std::string code = query_of(location).at("code");
  Pkce pkce;
  const Response r = test::post(port(), "/token",
                                encode({{"grant_type", "authorization_code"},
                                        {"code", code},
                                        {"redirect_uri", std::string(kWebRedirect)},
                                        {"code_verifier", pkce.verifier}}),
                                "application/x-www-form-urlencoded", basic(client("web")));
  expect_invalid_grant(r, "code_verifier sent for a code issued without a code_challenge");

  // Without a verifier, a fresh code from the same client works, with Basic auth.
  const std::string code2 = code_from(b.get("/authorize?" + encode(request)));
  const Response ok = test::post(port(), "/token",
                                 encode({{"grant_type", "authorization_code"},
                                         {"code", code2},
                                         {"redirect_uri", std::string(kWebRedirect)}}),
                                 "application/x-www-form-urlencoded", basic(client("web")));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_FALSE(ok.json().contains("refresh_token"));  // web is not registered for refresh_token
  EXPECT_TRUE(ok.json().contains("id_token"));
  // Another client cannot redeem a code.
  const std::string code3 = code_from(b.get("/authorize?" + encode(request)));
  expect_invalid_grant(exchange(code3, pkce, std::string(kWebRedirect)),
                       "the authorization code is invalid, expired or revoked");
}

// ---- Consent memory, prompt, first-party clients ----

TEST_F(BrowserFlow, ConsentIsRememberedAskedAgainWhenScopesGrowAndSkippedForFirstParty) {
  Browser b(port(), "10.0.14.1");
  Pkce pkce;
  code_from(sign_in_and_allow(b, spa_request(pkce, {{"scope", "openid profile"}}), "bob"));
  // Same scopes (or fewer): no page, a code at once.
  code_from(b.get("/authorize?" + encode(spa_request(pkce, {{"scope", "openid"}}))));
  code_from(b.get("/authorize?" +
                  encode(spa_request(pkce, {{"scope", "openid profile"}, {"prompt", "none"}}))));
  // More scopes: consent again; with prompt=none that is consent_required.
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"scope", "openid email"},
                                                                        {"prompt", "none"}}))),
                        302, kSpaRedirect, "consent_required", "the user has not allowed this yet");
  const Response again =
      b.get("/authorize?" + encode(spa_request(pkce, {{"scope", "openid email"}})));
  EXPECT_NE(again.body.find("action=\"consent\""), std::string::npos);
  // prompt=consent asks even when remembered.
  const Response forced = b.get(
      "/authorize?" + encode(spa_request(pkce, {{"scope", "openid"}, {"prompt", "consent"}})));
  EXPECT_NE(forced.body.find("action=\"consent\""), std::string::npos);
  // prompt=login asks for the password again, then goes on without asking again.
  const Response login =
      b.get("/authorize?" + encode(spa_request(pkce, {{"scope", "openid"}, {"prompt", "login"}})));
  ASSERT_NE(login.body.find("action=\"login\""), std::string::npos);
  code_from(b.follow(submit_login(b, login, "bob")));
  // max_age=0: always sign in again.
  const Response max_age =
      b.get("/authorize?" + encode(spa_request(pkce, {{"scope", "openid"}, {"max_age", "0"}})));
  EXPECT_NE(max_age.body.find("action=\"login\""), std::string::npos);
  // A first-party client never asks.
  const Params first = {
      {"client_id", client("first").id},  {"redirect_uri", "http://127.0.0.1:7777/callback"},
      {"response_type", "code"},          {"scope", "openid profile"},
      {"code_challenge", pkce.challenge}, {"code_challenge_method", "S256"}};
  code_from(b.get("/authorize?" + encode(first)));
}

// Sign-in gives the session a new id and a new CSRF secret: a form rendered before it (in
// this tab or another, or planted by whoever knew the anonymous session) no longer
// validates, so a token that leaked before sign-in is worth nothing after it.
TEST_F(BrowserFlow, SignInRenewsTheCsrfSecretSoPagesFromBeforeItExpire) {
  Browser b(port(), "10.0.15.1");
  Pkce one;
  Pkce two;
  const Response tab1 = b.get("/authorize?" + encode(spa_request(one, {{"state", "tab1"}})));
  const Response tab2 = b.get("/authorize?" + encode(spa_request(two, {{"state", "tab2"}})));
  ASSERT_EQ(hidden_fields(tab1.body).front().first, "csrf_token");
  const std::string before = hidden_fields(tab1.body).front().second;
  // Tab 1 signs in (the session id changes), then tab 2 submits its own, older page.
  const Response back1 = submit_login(b, tab1, "carol");
  ASSERT_EQ(back1.status, 303) << back1.body;
  expect_error_page(submit_login(b, tab2, "carol"), 403, "This page has expired");
  // The pre-sign-in token is refused on the consent form too.
  Response consent1 = b.follow(back1);
  ASSERT_NE(consent1.body.find("action=\"consent\""), std::string::npos) << consent1.body;
  const std::string after = hidden_fields(consent1.body).front().second;
  EXPECT_NE(after, before);
  Params stale = hidden_fields(consent1.body);
  stale.front().second = before;
  stale.emplace_back("decision", "allow");
  expect_error_page(b.post("/consent", stale), 403, "This page has expired");
  // Reloading tab 2 goes on signed in, with the new secret.
  Response consent2 = b.get("/authorize?" + encode(spa_request(two, {{"state", "tab2"}})));
  ASSERT_NE(consent2.body.find("action=\"consent\""), std::string::npos) << consent2.body;
  EXPECT_EQ(hidden_fields(consent2.body).front().second, after);
  const Response done2 = submit_consent(b, consent2, "allow");
  const Response done1 = submit_consent(b, consent1, "allow");
  EXPECT_EQ(query_of(done1.header("Location").value_or("")).at("state"), "tab1");
  EXPECT_EQ(query_of(done2.header("Location").value_or("")).at("state"), "tab2");
  EXPECT_EQ(exchange(code_from(done1), one).status, 200);
  EXPECT_EQ(exchange(code_from(done2), two).status, 200);
}

// ---- /userinfo errors (RFC 6750 §3) ----

TEST_F(BrowserFlow, OidcCore_5_3_UserinfoRefusals) {
  const Response none = test::get(port(), "/userinfo");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"keyward\"");

  const Response garbage = test::get(port(), "/userinfo", "Authorization: Bearer abc.def.ghi\r\n");
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(garbage.header("WWW-Authenticate"),
            "Bearer realm=\"keyward\", error=\"invalid_token\", error_description=\"the access "
            "token is invalid, expired or revoked\"");
  EXPECT_EQ(garbage.json()["error"], "invalid_token");

  // A token granted without openid.
  Browser b(port(), "10.0.16.1");
  Pkce pkce;
  const std::string code = code_from(sign_in_and_allow(b, spa_request(pkce, {{"scope", "read"}})));
  const Response t = exchange(code, pkce);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_FALSE(t.json().contains("id_token"));
  const Response no_openid =
      test::get(port(), "/userinfo",
                "Authorization: Bearer " + t.json()["access_token"].get<std::string>() + "\r\n");
  EXPECT_EQ(no_openid.status, 403);
  EXPECT_EQ(no_openid.header("WWW-Authenticate"),
            "Bearer realm=\"keyward\", error=\"insufficient_scope\", error_description=\"the "
            "access token was not granted openid\", scope=\"openid\"");
  // Two ways at once (RFC 6750 §2).
  const Response twice =
      test::post(port(), "/userinfo", encode({{"access_token", t.json()["access_token"]}}),
                 "application/x-www-form-urlencoded",
                 "Authorization: Bearer " + t.json()["access_token"].get<std::string>() + "\r\n");
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.json()["error"], "invalid_request");
}

// ---- Logout (RP-Initiated Logout 1.0) ----

TEST_F(BrowserFlow, LogoutWithIdTokenHintEndsTheSessionThenPromptNoneIsLoginRequired) {
  Browser b(port(), "10.0.17.1");
  Pkce pkce;
  const Response t = exchange(code_from(sign_in_and_allow(b, spa_request(pkce))), pkce);
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string id_token = t.json()["id_token"];
  const std::string access = t.json()["access_token"];
  const std::string refresh = t.json()["refresh_token"];
  code_from(b.get("/authorize?" + encode(spa_request(pkce, {{"prompt", "none"}}))));

  // An unregistered post_logout_redirect_uri is a page, never a redirect.
  expect_error_page(
      b.get("/logout?" + encode({{"id_token_hint", id_token},
                                 {"post_logout_redirect_uri", "https://evil.example/bye"}})),
      400, "post_logout_redirect_uri is not registered for this application.");
  expect_error_page(b.get("/logout?" + encode({{"id_token_hint", "x.y.z"}})), 400,
                    "The id_token_hint is not an ID token Keyward issued.");

  const Response out =
      b.get("/logout?" + encode({{"id_token_hint", id_token},
                                 {"post_logout_redirect_uri", "https://spa.example/bye"},
                                 {"state", "bye-1"}}));
  EXPECT_EQ(out.status, 302) << out.body;
  EXPECT_EQ(out.header("Location"), "https://spa.example/bye?state=bye-1");
  EXPECT_TRUE(b.session_cookie().empty());
  // The session's grant died with it (no offline_access), and prompt=none now fails.
  EXPECT_EQ(introspect(access).json(), (json{{"active", false}}));
  expect_invalid_grant(refresh_with(refresh), "the refresh token is invalid, expired or revoked");
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"prompt", "none"}}))), 302,
                        kSpaRedirect, "login_required", "the user is not signed in");
}

TEST_F(BrowserFlow, LogoutWithoutHintAsksFirstAndOfflineAccessSurvivesIt) {
  Browser b(port(), "10.0.18.1");
  Pkce pkce;
  const Response t = exchange(
      code_from(sign_in_and_allow(b, spa_request(pkce, {{"scope", "openid offline_access"}}))),
      pkce);
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string refresh = t.json()["refresh_token"];

  const Response ask = b.get("/logout");
  ASSERT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("action=\"logout\""), std::string::npos);
  EXPECT_FALSE(b.session_cookie().empty()) << "a GET without a hint signs nobody out";
  // A forged confirmation (wrong token) is refused.
  expect_error_page(b.post("/logout", {{"csrf_token", random_token()}}), 403,
                    "This page has expired");
  const Response done = b.post("/logout", hidden_fields(ask.body));
  EXPECT_EQ(done.status, 200);
  EXPECT_NE(done.body.find("You are signed out"), std::string::npos);
  EXPECT_TRUE(b.session_cookie().empty());
  EXPECT_EQ(refresh_with(refresh).status, 200) << "offline_access outlives the session";
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"prompt", "none"}}))), 302,
                        kSpaRedirect, "login_required", "the user is not signed in");
}

// ---- hostile bytes in the authorization request ----

// NUL and invalid UTF-8 are refused while decoding the query, before the client or the
// redirect_uri is known: an error page, never a redirect, never a 500. (A nonce
// "n0nce%00" used to come back as "n0nce"; "%FF" in client_id was a 500 page, and in the
// nonce a server_error redirect after sign-in and consent.)
TEST_F(BrowserFlow, NulOrInvalidUtf8AnywhereInTheQueryGetsAnErrorPage) {
  Pkce pkce;
  Browser b(port(), "10.0.30.1");
  const std::string good = encode(spa_request(pkce, {{"nonce", kDrop}}));
  expect_error_page(b.get("/authorize?" + good + "&nonce=n0nce%00"), 400,
                    "malformed query string: a parameter contains NUL");
  expect_error_page(b.get("/authorize?" + good + "&nonce=%FF"), 400,
                    "malformed query string: a parameter is not UTF-8");
  expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"client_id", kDrop}})) +
                          "&client_id=%C0%AF"),
                    400, "malformed query string: a parameter is not UTF-8");
  expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"client_id", kDrop}})) +
                          "&client_id=" + http::form_urlencode(client("spa").id) + "%00"),
                    400, "malformed query string: a parameter contains NUL");
  // The same rules for a POSTed authorization request and for sign-out.
  expect_error_page(b.post("/authorize", {{"client_id", client("spa").id + std::string(1, '\0')}}),
                    400, "the form is malformed: a parameter contains NUL");
  expect_error_page(b.get("/logout?state=%FF"), 400,
                    "malformed query string: a parameter is not UTF-8");
  // A control character is valid UTF-8 but no client_id: the client cache answers "unknown"
  // without a lookup, as for any id no client has.
  expect_error_page(b.get("/authorize?" + encode(spa_request(pkce, {{"client_id", "spa\x02"}}))),
                    400, "this application is not registered");
  EXPECT_TRUE(b.cookie().empty()) << "no session for refused requests";
}

// RFC 6749 Appendix A.5: state is VSCHAR; OIDC Core's nonce is held to the same, since it
// is stored and copied into the ID token for a byte-for-byte comparison.
TEST_F(BrowserFlow, StateAndNonceMustBePrintableAscii) {
  Pkce pkce;
  Browser b(port(), "10.0.31.1");
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"nonce", "n0\x02nce"}}))),
                        302, kSpaRedirect, "invalid_request", "nonce must be printable ASCII");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"nonce", "caf\xC3\xA9"}}))), 302,
      kSpaRedirect, "invalid_request", "nonce must be printable ASCII");
  // A state that is not VSCHAR is not echoed back.
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"state", "s\x7Ft"}}))),
                        302, kSpaRedirect, "invalid_request", "state must be printable ASCII",
                        std::nullopt);
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"state", "\xE2\x82\xAC"}}))), 302,
      kSpaRedirect, "invalid_request", "state must be printable ASCII", std::nullopt);
}

// OIDC Core §6.1, §6.2 and §7.2.1 name an error for each unsupported request parameter.
TEST_F(BrowserFlow, OidcCore_6_RequestObjectsGetTheirOwnErrors) {
  Pkce pkce;
  Browser b(port(), "10.0.32.1");
  expect_error_redirect(
      b.get("/authorize?" + encode(spa_request(pkce, {{"request", "eyJhbGciOiJub25lIn0.e30."}}))),
      302, kSpaRedirect, "request_not_supported", "request objects are not supported");
  expect_error_redirect(
      b.get("/authorize?" +
            encode(spa_request(pkce, {{"request_uri", "urn:ietf:params:oauth:request_uri:x"}}))),
      302, kSpaRedirect, "request_uri_not_supported", "request_uri is not supported");
  expect_error_redirect(b.get("/authorize?" + encode(spa_request(pkce, {{"registration", "{}"}}))),
                        302, kSpaRedirect, "registration_not_supported",
                        "the registration parameter is not supported");
}

// The pre-login cookie is read strictly: a huge, mangled or repeated one is no cookie, so the
// login form's token cannot validate against it (403, nothing read), never a 500.
TEST_F(BrowserFlow, MalformedPreLoginCookieIsNoCookie) {
  Pkce pkce;
  Browser b(port(), "10.0.33.1");
  const Response page = b.get("/authorize?" + encode(spa_request(pkce)));
  ASSERT_NE(page.body.find("action=\"login\""), std::string::npos) << page.body;
  Params form = hidden_fields(page.body);
  form.emplace_back("username", "alice");
  form.emplace_back("password", std::string(kPassword));
  const std::string real = b.cookie();  // "keyward_login=<value>"
  ASSERT_TRUE(real.starts_with("keyward_login=")) << real;
  const std::vector<std::string> broken = {
      "keyward_login=" + std::string(5000, 'a'), "keyward_login=\"broken",
      "keyward_login=", real + "; keyward_login=\"x", "keyward_login=a%00b"};
  for (const std::string& cookie : broken) {
    SCOPED_TRACE(cookie.substr(0, 60));
    expect_error_page(
        test::post(port(), "/login", encode(form), "application/x-www-form-urlencoded",
                   "X-Forwarded-For: 10.0.33.1\r\nCookie: " + cookie + "\r\n"),
        403, "This page has expired");
  }
  // The real cookie still works.
  EXPECT_EQ(b.post("/login", form).status, 303);
}

}  // namespace
}  // namespace keyward::test
