// Two `keyward serve` processes on one database, as behind a load balancer: whatever one
// instance issues, rotates or revokes holds at the other. State that lives in PostgreSQL
// (codes, refresh tokens, revocations) must be seen at once; what each process caches
// (signing keys, clients) follows by NOTIFY: keys within the 5 s the key tests allow, a
// rotated client secret before the command that rotated it returns (the secret test below).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "common/crypto.h"
#include "grants/pkce.h"
#include "http/form.h"
#include "http/headers.h"
#include "storage/database.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// One issuer and one master key for both instances and the CLI: they are one deployment.
constexpr std::string_view kMasterKey =
    "5151515151515151515151515151515151515151515151515151515151515151";
constexpr std::string_view kIssuer = "http://127.0.0.1:9";
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kRedirect = "https://app.example/cb";

class TwoInstances : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    env_ = {{"KEYWARD_DATABASE_URL", db().conninfo()},
            {"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
            {"KEYWARD_ISSUER", std::string(kIssuer)},
            {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
            {"KEYWARD_ARGON2_ITERATIONS", "5"}};
    // A confidential client allowed to introspect (its access tokens name the issuer, not
    // it, as their audience; its refresh tokens it may ask about anyway).
    const auto created = create_client(
        "App",
        {"--grant-types", "authorization_code,refresh_token", "--scopes",
         "openid offline_access read", "--redirect-uri", std::string(kRedirect), "--introspect"},
        env_);
    client_id_ = created.id;
    secret_ = created.secret;

    auto database = db().open();
    insert_user(database, storage::NewUser{"alice", std::nullopt, std::nullopt, std::nullopt, ""},
                kPassword);

    a_ = std::make_unique<ServerProcess>(env_);
    b_ = std::make_unique<ServerProcess>(env_);
    for (const auto* server : {a_.get(), b_.get()}) {
      const auto ready = poll(
          server->port(), "/health/ready", [](const Response& r) { return r.status == 200; },
          seconds(20));
      ASSERT_EQ(ready.status, 200) << server->output();
    }
  }

  [[nodiscard]] std::string basic(std::string_view secret) const {
    return basic_authorization(client_id_, secret);
  }
  Response post_as_client(uint16_t port, const std::string& target, const Params& form,
                          std::string_view secret) const {
    return post(port, target, encode(form), "application/x-www-form-urlencoded", basic(secret));
  }
  // `keyward client rotate-secret` (the CLI stands for instance A's operator): the new secret.
  std::string rotate_secret() {
    const auto rotated = run_keyward({"client", "rotate-secret", client_id_}, env_);
    EXPECT_EQ(rotated.exit_code, 0) << rotated.output;
    // Both instances confirmed the change before the command returned.
    EXPECT_EQ(rotated.output.find("warning"), std::string::npos) << rotated.output;
    const auto doc = json::parse(rotated.output.substr(
        rotated.output.find('{'), rotated.output.rfind('}') - rotated.output.find('{') + 1));
    return doc["client_secret"];
  }
  json introspect(uint16_t port, const std::string& token) const {
    const auto r = post_as_client(port, "/introspect", {{"token", token}}, secret_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // The browser flow at `port`: /authorize, sign-in, consent when asked; the code from the
  // redirect.
  std::string code_at(uint16_t port, const std::string& challenge) {
    Browser browser(port, "10.1.2.3");
    const Params request = {{"client_id", client_id_},
                            {"redirect_uri", std::string(kRedirect)},
                            {"response_type", "code"},
                            {"scope", "openid offline_access read"},
                            {"state", "s-1"},
                            {"code_challenge", challenge},
                            {"code_challenge_method", "S256"}};
    Response r = browser.get("/authorize?" + encode(request));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("action=\"login\""), std::string::npos) << r.body;
    Params login = hidden_fields(r.body);
    login.emplace_back("username", "alice");
    login.emplace_back("password", std::string(kPassword));
    const Response signed_in = browser.post("/login", login);
    EXPECT_EQ(signed_in.status, 303) << signed_in.body;
    r = browser.follow(signed_in);
    // Consent is asked the first time only: remembered afterwards.
    if (r.status == 200 && r.body.find("action=\"consent\"") != std::string::npos) {
      Params consent = hidden_fields(r.body);
      consent.emplace_back("decision", "allow");
      r = browser.post("/consent", consent);
      EXPECT_EQ(r.status, 303) << r.body;
    }
    const auto q = query_of(r.header("Location").value_or(""));
    EXPECT_EQ(q.count("code"), 1u) << r.header("Location").value_or("");
    return q.count("code") ? q.at("code") : "";
  }

  Env env_;
  std::string client_id_;
  std::string secret_;
  std::unique_ptr<ServerProcess> a_;
  std::unique_ptr<ServerProcess> b_;
};

TEST_F(TwoInstances, CodeFromARedeemedAtBRefreshedAtBRevokedAtAIsInactiveAtB) {
  const std::string verifier = random_token(48);
  const std::string code = code_at(a_->port(), grants::pkce_s256_challenge(verifier));
  ASSERT_FALSE(code.empty());

  const Response issued = post_as_client(b_->port(), "/token",
                                         {{"grant_type", "authorization_code"},
                                          {"code", code},
                                          {"redirect_uri", std::string(kRedirect)},
                                          {"code_verifier", verifier}},
                                         secret_);
  ASSERT_EQ(issued.status, 200) << issued.body;
  ASSERT_TRUE(issued.json().contains("refresh_token")) << issued.body;
  // The code is single-use across instances too.
  const Response replayed = post_as_client(a_->port(), "/token",
                                           {{"grant_type", "authorization_code"},
                                            {"code", code},
                                            {"redirect_uri", std::string(kRedirect)},
                                            {"code_verifier", verifier}},
                                           secret_);
  EXPECT_EQ(replayed.status, 400) << replayed.body;
  EXPECT_EQ(replayed.json()["error"], "invalid_grant");

  // The replay revoked the grant (RFC 6749 §4.1.2), so start over for the refresh part.
  const std::string verifier2 = random_token(48);
  const std::string code2 = code_at(a_->port(), grants::pkce_s256_challenge(verifier2));
  const Response tokens = post_as_client(b_->port(), "/token",
                                         {{"grant_type", "authorization_code"},
                                          {"code", code2},
                                          {"redirect_uri", std::string(kRedirect)},
                                          {"code_verifier", verifier2}},
                                         secret_);
  ASSERT_EQ(tokens.status, 200) << tokens.body;

  const Response refreshed = post_as_client(
      b_->port(), "/token",
      {{"grant_type", "refresh_token"}, {"refresh_token", tokens.json()["refresh_token"]}},
      secret_);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string access = refreshed.json()["access_token"];
  const std::string refresh = refreshed.json()["refresh_token"];
  EXPECT_EQ(introspect(b_->port(), refresh)["active"], true);
  EXPECT_EQ(introspect(b_->port(), access)["active"], true);

  const Response revoked = post_as_client(a_->port(), "/revoke", {{"token", refresh}}, secret_);
  EXPECT_EQ(revoked.status, 200) << revoked.body;

  // RFC 7009 §2.1: revoking the refresh token ends its grant, access tokens included.
  EXPECT_EQ(introspect(b_->port(), refresh), (json{{"active", false}}));
  EXPECT_EQ(introspect(b_->port(), access), (json{{"active", false}}));
  const Response after = post_as_client(
      b_->port(), "/token", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, secret_);
  EXPECT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(after.json()["error"], "invalid_grant");
}

TEST_F(TwoInstances, KeyRotatedAtAIsServedByBWithinFiveSeconds) {
  const auto before = get(b_->port(), "/jwks").json();
  ASSERT_EQ(before["keys"].size(), 1u);
  EXPECT_EQ(get(a_->port(), "/jwks").json(), before) << "both instances publish the same key";

  const auto rotated = run_keyward({"keys", "rotate", "--alg", "ES256"}, env_);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  ASSERT_TRUE(rotated.output.starts_with("kid ")) << rotated.output;
  const std::string new_kid = rotated.output.substr(4, rotated.output.find('\n') - 4);

  for (const auto* server : {a_.get(), b_.get()}) {
    const auto after = poll(
        server->port(), "/jwks",
        [&](const Response& r) { return r.body.find(new_kid) != std::string::npos; }, seconds(5));
    EXPECT_NE(after.body.find(new_kid), std::string::npos)
        << "instance on port " << server->port() << " did not publish " << new_kid
        << " within 5 s: " << after.body;
    EXPECT_EQ(after.json()["keys"].size(), 2u);
  }
}

// Each instance caches clients and drops one when its NOTIFY arrives, asynchronously after
// the change commits; `rotate-secret` returns only once every listening instance has
// confirmed the drop (grants/client_announcement.h). So the very next request at B, with no
// wait, refuses the old secret. (Without the confirmations this failed about one run in 15
// to 30: the old secret got 200 at B.)
TEST_F(TwoInstances, SecretRotatedAtAIsRefusedByBOnTheVeryNextRequest) {
  const Params form = {{"token", "not-a-token"}};
  // Both instances have the client cached: the old secret works there until the rotation.
  ASSERT_EQ(post_as_client(b_->port(), "/introspect", form, secret_).status, 200);
  ASSERT_EQ(post_as_client(a_->port(), "/introspect", form, secret_).status, 200);

  const std::string new_secret = rotate_secret();
  const Response old_at_b = post_as_client(b_->port(), "/introspect", form, secret_);
  EXPECT_EQ(old_at_b.status, 401) << old_at_b.body;
  EXPECT_EQ(old_at_b.json()["error"], "invalid_client") << old_at_b.body;
  EXPECT_EQ(post_as_client(a_->port(), "/introspect", form, secret_).status, 401);
  EXPECT_EQ(post_as_client(b_->port(), "/introspect", form, new_secret).status, 200);
  EXPECT_EQ(post_as_client(a_->port(), "/introspect", form, new_secret).status, 200);
}

// RFC 7592 at instance A: B, which has the client cached, refuses it once A's NOTIFY
// arrives (milliseconds; the endpoint does not wait for confirmations as the CLI does).
TEST_F(TwoInstances, ClientDeletedThroughRegistrationAtAIsRefusedByB) {
  const auto minted = run_keyward({"registration-token", "create"}, env_);
  ASSERT_EQ(minted.exit_code, 0) << minted.output;
  const std::string initial = json::parse(minted.output.substr(
      minted.output.find('{'), minted.output.rfind('}') - minted.output.find('{') + 1))["token"];
  const std::string metadata =
      R"({"client_name":"Svc","grant_types":["client_credentials"],"scope":"read"})";
  const Response registered = post(a_->port(), "/register", metadata, "application/json",
                                   "Authorization: Bearer " + initial + "\r\n");
  ASSERT_EQ(registered.status, 201) << registered.body;
  const json client = registered.json();
  const std::string auth = basic_authorization(client["client_id"].get<std::string>(),
                                               client["client_secret"].get<std::string>());
  auto token_at = [&](uint16_t port) {
    return post(port, "/token", "grant_type=client_credentials",
                "application/x-www-form-urlencoded", auth);
  };
  ASSERT_EQ(token_at(b_->port()).status, 200);  // cached at B now

  Connection connection(a_->port());
  const Response deleted =
      connection.request("DELETE /register/" + client["client_id"].get<std::string>() +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                         client["registration_access_token"].get<std::string>() + "\r\n\r\n");
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(token_at(a_->port()).status, 401);
  const auto deadline = std::chrono::steady_clock::now() + seconds(2);
  int status = 0;
  while ((status = token_at(b_->port()).status) == 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(status, 401);
}

}  // namespace
}  // namespace keyward::test
