// The grants against a real PostgreSQL with a real signing key (issue 4): client
// credentials on a cached standing grant, password, refresh with rotation and reuse
// detection (two threads, exactly one wins), introspection and revocation.
#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <thread>

#include "grants/client_credentials.h"
#include "grants/introspection.h"
#include "grants/login_throttle.h"
#include "grants/password.h"
#include "grants/refresh_token.h"
#include "grants/revocation.h"
#include "grants/token_issuer.h"
#include "grants/user_authenticator.h"
#include "grants/wire.h"
#include "storage/database.h"
#include "storage/grant_repository.h"
#include "storage/janitor.h"
#include "storage/refresh_token_repository.h"
#include "storage/revocation_repository.h"
#include "storage/throttle_repository.h"
#include "storage/user_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::grants {
namespace {

using std::chrono::seconds;
using test::DatabaseTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));
const std::string kIssuer = "https://issuer.example";
constexpr std::string_view kPassword = "hunter2 hunter2";
const Argon2Params kArgon2{8192, 1, 1};

class GrantsTest : public DatabaseTest {
 protected:
  static void SetUpTestSuite() {
    keys_ = new StaticSigningKeys(jose::PrivateKey::generate(jose::Alg::ES256));
  }
  static void TearDownTestSuite() { delete keys_; }

  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    auto database = storage::Database::open(db().conninfo());
    if (!database) throw std::runtime_error(database.error());
    database_.emplace(std::move(database).value());
    grant_store_.emplace(*database_);
    refresh_store_.emplace(*database_);
    revocation_store_.emplace(*database_);
    issuer_.emplace(*keys_, clock_, TokenIssuerConfig{kIssuer, seconds(600), seconds(86400)});
    standing_.emplace(*grant_store_, clock_, seconds(600), StandingGrantOptions{});
    introspection_.emplace(*keys_, *revocation_store_, *refresh_store_, clock_, kIssuer);
    revocation_.emplace(*keys_, *revocation_store_, *refresh_store_, *grant_store_, clock_,
                        kIssuer);
    db().exec(
        "INSERT INTO clients (client_id, secret_hmac, name, confidential,"
        " token_endpoint_auth_method, grant_types, scopes, audiences) VALUES"
        " ('svc', decode(repeat('ab', 32), 'hex'), 'Svc', true, 'client_secret_basic',"
        "  '{client_credentials}', '{read,write}', '{https://api.example}'),"
        " ('app', decode(repeat('cd', 32), 'hex'), 'App', true, 'client_secret_basic',"
        "  '{password,refresh_token}', '{read,write}', '{}'),"
        " ('app2', decode(repeat('ef', 32), 'hex'), 'App2', true, 'client_secret_basic',"
        "  '{password}', '{read}', '{}')");
    storage::UserRepository users(*database_);
    auto user = users.insert(
        {"alice", std::nullopt, std::nullopt, std::nullopt, hash_password(kPassword, kArgon2)});
    ASSERT_TRUE(user.ok());
    alice_ = user->id;
  }

  static Client svc() {
    Client c;
    c.id = "svc";
    c.grant_types = {"client_credentials"};
    c.scopes = {"read", "write"};
    c.audiences = {"https://api.example"};
    return c;
  }
  static Client app(std::string id = "app") {
    Client c;
    c.id = std::move(id);
    c.grant_types = {"password", "refresh_token"};
    c.scopes = {"read", "write"};
    return c;
  }
  static TokenRequest request(std::initializer_list<std::pair<std::string, std::string>> params) {
    TokenRequest r;
    for (const auto& [k, v] : params) r.params.emplace(k, v);
    r.meta.client_ip = "203.0.113.9";
    return r;
  }
  std::string gid(const std::string& token) {
    auto jwt = verify_own_access_token(token, *keys_, kIssuer, clock_.now());
    EXPECT_TRUE(jwt.has_value());
    return jwt ? jwt->claims()["gid"].get<std::string>() : "";
  }
  // As a resource server allowed to introspect, under the id of the client the refresh
  // tokens here belong to (only their own client learns about refresh tokens).
  bool active(const std::string& token) {
    Client caller = app();
    caller.may_introspect = true;
    auto r = introspection_->introspect(token, caller);
    EXPECT_TRUE(r.ok());
    return r.ok() && (*r)["active"] == true;
  }
  // A password-grant token pair for alice, through the real UserAuthenticator.
  TokenResponse sign_in(const Client& client) {
    storage::UserRepository users(*database_);
    storage::ThrottleRepository throttle_store(*database_);
    LoginThrottle throttle(throttle_store, clock_);
    UserAuthenticator authenticator(users, throttle, kArgon2);
    PasswordGrant grant(authenticator, *grant_store_, *issuer_);
    auto r = grant.handle(request({{"username", "alice"}, {"password", std::string(kPassword)}}),
                          client);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().description);
    return r.ok() ? *r : TokenResponse{};
  }

  static StaticSigningKeys* keys_;
  FixedClock clock_{kT0};
  std::optional<storage::Database> database_;
  std::optional<storage::GrantRepository> grant_store_;
  std::optional<storage::RefreshTokenRepository> refresh_store_;
  std::optional<storage::RevocationRepository> revocation_store_;
  std::optional<TokenIssuer> issuer_;
  std::optional<StandingGrants> standing_;
  std::optional<Introspection> introspection_;
  std::optional<Revocation> revocation_;
  std::string alice_;
};
StaticSigningKeys* GrantsTest::keys_ = nullptr;

TEST_F(GrantsTest, ClientCredentialsWritesOneStandingGrantThenNothingPerToken) {
  ClientCredentialsGrant grant(*issuer_, *standing_);
  std::set<std::string> gids;
  for (int i = 0; i < 50; ++i) {
    auto r = grant.handle(request({}), svc());
    ASSERT_TRUE(r.ok()) << r.error().description;
    EXPECT_FALSE(r->refresh_token.has_value());
    EXPECT_EQ(r->scope, "read write");
    gids.insert(gid(r->access_token));
  }
  EXPECT_EQ(gids.size(), 1u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM grants"), "1");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens"), "0");
  EXPECT_EQ(db().scalar("SELECT standing AND user_id IS NULL FROM grants"), "t");
}

TEST_F(GrantsTest, Rfc6749_4_4_PublicClientRejected) {
  ClientCredentialsGrant grant(*issuer_, *standing_);
  auto c = svc();
  c.confidential = false;
  auto r = grant.handle(request({}), c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::UnauthorizedClient);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM grants"), "0");
}

TEST_F(GrantsTest, RevokedStandingGrantKillsItsTokensAndIsSucceededAfterTheCacheTtl) {
  ClientCredentialsGrant grant(*issuer_, *standing_);
  auto first = grant.handle(request({}), svc());
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(active(first->access_token));
  const auto old_gid = gid(first->access_token);
  ASSERT_TRUE(grant_store_->revoke(old_gid, clock_.now()).ok());
  EXPECT_FALSE(active(first->access_token));
  // Within the cache TTL the instance still names the old grant (the documented lag)...
  clock_.advance(seconds(30));
  auto cached = grant.handle(request({}), svc());
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(gid(cached->access_token), old_gid);
  // ...after it, a new standing grant with live tokens.
  clock_.advance(seconds(31));
  auto fresh = grant.handle(request({}), svc());
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(gid(fresh->access_token), old_gid);
  EXPECT_TRUE(active(fresh->access_token));
}

TEST_F(GrantsTest, PasswordGrantCreatesGrantAndRefreshTokenOnlyWhenAllowed) {
  const auto with_refresh = sign_in(app());
  ASSERT_TRUE(with_refresh.refresh_token.has_value());
  EXPECT_EQ(db().scalar("SELECT user_id::text FROM grants WHERE id = '" +
                        gid(with_refresh.access_token) + "'"),
            alice_);
  auto no_refresh = app("app2");
  no_refresh.grant_types = {"password"};
  no_refresh.scopes = {"read"};
  const auto without = sign_in(no_refresh);
  EXPECT_FALSE(without.refresh_token.has_value());
  EXPECT_EQ(without.scope, "read");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens"), "1");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM grants"), "2");
}

// STYLE.md §7.5: two threads redeem one refresh token; exactly one wins, the loser
// revokes the grant, and with it the winner's new tokens.
TEST_F(GrantsTest, ConcurrentRefreshExactlyOneWinsAndTheLoserRevokesTheGrant) {
  RefreshTokenGrant grant(*refresh_store_, *issuer_);
  for (int round = 0; round < 10; ++round) {
    const auto signed_in = sign_in(app());
    std::latch start(2);
    std::array<std::optional<OAuthResult<TokenResponse>>, 2> results;
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        const auto r = request({{"refresh_token", *signed_in.refresh_token}});
        start.arrive_and_wait();
        results[i].emplace(grant.handle(r, app()));
      });
    }
    for (auto& t : threads) t.join();
    const int winners = results[0]->ok() + results[1]->ok();
    ASSERT_EQ(winners, 1) << "round " << round;
    const auto& winner = results[0]->ok() ? *results[0] : *results[1];
    const auto& loser = results[0]->ok() ? *results[1] : *results[0];
    EXPECT_EQ(loser.error().code, ErrorCode::InvalidGrant);
    EXPECT_EQ(loser.error().description,
              "the refresh token was already used; its grant is revoked");
    EXPECT_FALSE(active(winner->access_token));
    EXPECT_FALSE(active(signed_in.access_token));
    auto next = grant.handle(request({{"refresh_token", *winner->refresh_token}}), app());
    ASSERT_FALSE(next.ok());
    EXPECT_EQ(next.error().code, ErrorCode::InvalidGrant);
  }
}

TEST_F(GrantsTest, RefreshNarrowsScopeAndDropsScopesTheClientLost) {
  RefreshTokenGrant grant(*refresh_store_, *issuer_);
  const auto signed_in = sign_in(app());
  auto narrowed = grant.handle(
      request({{"refresh_token", *signed_in.refresh_token}, {"scope", "read"}}), app());
  ASSERT_TRUE(narrowed.ok());
  EXPECT_EQ(narrowed->scope, "read");
  auto shrunk = app();
  shrunk.scopes = {"write"};
  auto dropped = grant.handle(request({{"refresh_token", *narrowed->refresh_token}}), shrunk);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->scope, "write");
}

TEST_F(GrantsTest, TokensDieAtTheirExpiry) {
  const auto signed_in = sign_in(app());
  EXPECT_TRUE(active(signed_in.access_token));
  EXPECT_TRUE(active(*signed_in.refresh_token));
  clock_.advance(seconds(600));
  EXPECT_FALSE(active(signed_in.access_token));
  EXPECT_TRUE(active(*signed_in.refresh_token));
  clock_.advance(seconds(86400 - 600));
  EXPECT_FALSE(active(*signed_in.refresh_token));
  RefreshTokenGrant grant(*refresh_store_, *issuer_);
  auto late = grant.handle(request({{"refresh_token", *signed_in.refresh_token}}), app());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().description, "the refresh token is invalid, expired or revoked");
}

TEST_F(GrantsTest, RevokedAccessTokenIsDenyListedUntilItsExpiryThenPruned) {
  const auto signed_in = sign_in(app());
  ASSERT_TRUE(revocation_->revoke(signed_in.access_token, app()).ok());
  EXPECT_FALSE(active(signed_in.access_token));
  EXPECT_TRUE(active(*signed_in.refresh_token));
  EXPECT_EQ(db().scalar("SELECT extract(epoch FROM expires_at)::bigint FROM revoked_access_tokens"),
            std::to_string(1'750'000'600));
  storage::Janitor janitor(*database_);
  auto early = janitor.run_once(kT0 + seconds(599));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->revoked_access_tokens, 0u);
  auto later = janitor.run_once(kT0 + seconds(600));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->revoked_access_tokens, 1u);
}

TEST_F(GrantsTest, RevocationIsBoundToTheClient) {
  const auto signed_in = sign_in(app());
  for (const auto& token : {signed_in.access_token, *signed_in.refresh_token}) {
    auto r = revocation_->revoke(token, app("app2"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnauthorizedClient);
  }
  EXPECT_TRUE(active(signed_in.access_token));
  ASSERT_TRUE(revocation_->revoke(*signed_in.refresh_token, app()).ok());
  EXPECT_FALSE(active(signed_in.access_token));
  // Unknown and expired tokens: nothing to do, and no error (RFC 7009 §2.2).
  EXPECT_TRUE(revocation_->revoke("no-such-token", app()).ok());
  // An expired token needs no revoking, whoever asks.
  const auto expiring = sign_in(app()).access_token;
  clock_.advance(seconds(600));
  EXPECT_TRUE(revocation_->revoke(expiring, app("app2")).ok());
}

}  // namespace
}  // namespace keyward::grants
