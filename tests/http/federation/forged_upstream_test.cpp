// Federated sign-in against a hostile or broken upstream: tests/http/support/
// upstream_provider.h is a real OpenID provider on loopback whose ID tokens can be forged
// (a foreign key, an unknown kid, alg none, HS256 with the public key, the wrong iss, aud,
// azp or nonce, expired, no sub), whose authorization response can carry a wrong `iss`, and
// which can refuse at its token endpoint, say access_denied, or stop answering. Through
// Keyward's real /federation/start and /federation/callback, every one must end on the login
// page with a message, with no session and no user created; the correct token signs in.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/crypto.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/child_process.h"
#include "tests/http/support/cli_run.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/http/support/suite_server.h"
#include "tests/http/support/upstream_provider.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

constexpr std::string_view kMasterKey =
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
constexpr std::string_view kSecret = "upstream-client-secret-for-keyward";

// `keyward <args>` with `input` on stdin: its exit code and everything it printed.
std::pair<int, std::string> keyward_with_stdin(const std::vector<std::string>& args, const Env& env,
                                               const std::string& input) {
  auto run = run_cli(args, env, input);
  return {run.exit_code, run.out + run.err};
}

std::string target_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

Params button_fields(const std::string& html) {
  const auto start = html.find("action=\"federation/start\"");
  if (start == std::string::npos) return {};
  return hidden_fields(html.substr(start, html.find("</form>", start) - start));
}

class ForgedUpstream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    upstream_ = new UpstreamProvider();
    port_ = free_port();
    issuer_ = new std::string("http://127.0.0.1:" + std::to_string(port_));
    suite_ = new SuiteServer({{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
                              {"KEYWARD_ISSUER", *issuer_},
                              {"KEYWARD_LISTEN", "127.0.0.1:" + std::to_string(port_)},
                              {"KEYWARD_REGISTRATION", "open"},
                              {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
                              {"KEYWARD_ARGON2_ITERATIONS", "5"}});
    upstream_->register_client("keyward", std::string(kSecret), *issuer_ + "/federation/callback");
    const auto [code, output] = keyward_with_stdin(
        {"idp", "add", "--name", "forge", "--issuer", upstream_->issuer(), "--client-id", "keyward",
         "--client-secret-stdin", "--scopes", "openid email profile", "--button-label", "Forge"},
        suite_->env(), std::string(kSecret));
    ASSERT_EQ(code, 0) << output;
    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete upstream_;
    delete issuer_;
    suite_ = nullptr;
    upstream_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    upstream_->set_forgery(UpstreamProvider::Forgery::None);
    upstream_->set_iss_param(UpstreamProvider::IssParam::Correct);
    upstream_->set_authorize_error(std::nullopt);
    upstream_->set_token_failure(0);
  }

  // The account page's login, its provider button, the upstream's instant approval, and
  // the callback: what Keyward answers it.
  static Response through_callback(Browser& b) {
    Response login = b.get("/account");
    EXPECT_EQ(login.status, 200);
    Params button = button_fields(login.body);
    EXPECT_FALSE(button.empty()) << login.body;
    Response to_upstream = b.post("/federation/start", button);
    EXPECT_EQ(to_upstream.status, 303) << to_upstream.body;
    const std::string location = to_upstream.header("Location").value_or("");
    EXPECT_EQ(location.rfind(upstream_->issuer() + "/", 0), 0u) << location;
    Response approved = test::get(upstream_->port(), target_of(location));
    const std::string back = approved.header("Location").value_or("");
    EXPECT_EQ(back.rfind(*issuer_ + "/federation/callback?", 0), 0u) << approved.status_line;
    return b.get(target_of(back));
  }

  static std::string users() {
    return suite_->database().scalar("SELECT count(*) FROM users").value_or("");
  }

  static void expect_refused(Browser& b, const Response& r, std::string_view message,
                             const std::string& users_before) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find(std::string(message)), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("Sign in with Forge"), std::string::npos) << "the login page again";
    EXPECT_EQ(b.session_cookie(), "");
    EXPECT_EQ(users(), users_before);
    EXPECT_EQ(suite_->database().scalar("SELECT count(*) FROM federation_flows"), "0");
  }

  static UpstreamProvider* upstream_;
  static SuiteServer* suite_;
  static uint16_t port_;
  static std::string* issuer_;
};
UpstreamProvider* ForgedUpstream::upstream_ = nullptr;
SuiteServer* ForgedUpstream::suite_ = nullptr;
uint16_t ForgedUpstream::port_ = 0;
std::string* ForgedUpstream::issuer_ = nullptr;

TEST_F(ForgedUpstream, EveryForgedIdTokenEndsOnTheLoginPageWithNoSessionAndNoUser) {
  using F = UpstreamProvider::Forgery;
  int n = 0;
  for (F forgery : {F::ForeignKey, F::UnknownKid, F::WrongIssuer, F::WrongAudience, F::AzpMismatch,
                    F::SeveralAudiencesWithoutAzp, F::WrongNonce, F::NoNonce, F::Expired,
                    F::IatInFuture, F::AlgNone, F::Hs256, F::NoSub}) {
    SCOPED_TRACE(static_cast<int>(forgery));
    upstream_->set_forgery(forgery);
    Browser b(port_, "10.14.0." + std::to_string(++n));
    const std::string before = users();
    expect_refused(b, through_callback(b), "Sign-in with Forge failed.", before);
  }
}

TEST_F(ForgedUpstream, AWrongIssParameterATokenRefusalAndADownUpstreamAreRefusedToo) {
  const std::string before = users();
  upstream_->set_iss_param(UpstreamProvider::IssParam::Wrong);
  Browser a(port_, "10.14.1.1");
  expect_refused(a, through_callback(a), "Sign-in with Forge failed.", before);
  upstream_->set_iss_param(UpstreamProvider::IssParam::Correct);

  upstream_->set_token_failure(400, "invalid_grant");
  Browser b(port_, "10.14.1.2");
  expect_refused(b, through_callback(b), "Sign-in with Forge failed.", before);
  upstream_->set_token_failure(0);

  upstream_->set_authorize_error("access_denied");
  Browser c(port_, "10.14.1.3");
  expect_refused(c, through_callback(c), "Sign-in with Forge was cancelled.", before);
}

TEST_F(ForgedUpstream, TheCorrectIdTokenSignsInAndCreatesOneLinkedUser) {
  const std::string before = users();
  upstream_->set_user({.sub = "forge-user-9", .email = "nine@example.com"});
  Browser b(port_, "10.14.2.1");
  Response r = through_callback(b);
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.header("Location"), "../account");
  EXPECT_NE(b.session_cookie(), "");
  EXPECT_EQ(std::stoi(users()), std::stoi(before) + 1);
  EXPECT_EQ(suite_->database().scalar(
                "SELECT u.email || ' ' || u.email_verified::text FROM federated_identities f"
                " JOIN users u ON u.id = f.user_id WHERE f.subject = 'forge-user-9'"),
            "nine@example.com true");
  // The query Keyward sent upstream: PKCE S256, state and nonce, the exact redirect URI.
  const auto q = upstream_->last_authorize_query();
  EXPECT_EQ(q.at("code_challenge_method"), "S256");
  EXPECT_EQ(q.at("redirect_uri"), *issuer_ + "/federation/callback");
  EXPECT_EQ(q.at("state").size(), 43u);
  EXPECT_EQ(q.at("nonce").size(), 43u);
}

}  // namespace
}  // namespace keyward::test
