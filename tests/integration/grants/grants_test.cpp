// The grants against a real PostgreSQL with a real signing key (issue 4): client
// credentials on a cached standing grant, password (first-party confidential clients
// only), refresh with rotation, reuse detection (two threads, exactly one wins) and the
// retry grace window, ending a user's access (set-password, disable, revoke),
// introspection and revocation.
#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <thread>

#include "common/crypto.h"
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
#include "storage/session_repository.h"
#include "storage/throttle_repository.h"
#include "storage/user_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::grants {
namespace {

using std::chrono::seconds;
using test::StorageTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));
const std::string kIssuer = "https://issuer.example";
constexpr std::string_view kPassword = "hunter2 hunter2";
const Argon2Params kArgon2{8192, 1, 1};
const std::string kSuccessorKey = refresh_successor_key(std::string(32, 'k'));

class GrantsTest : public StorageTest {
 protected:
  static void SetUpTestSuite() {
    keys_ = new StaticSigningKeys(jose::PrivateKey::generate(jose::Alg::ES256));
  }
  static void TearDownTestSuite() { delete keys_; }

  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    grant_store_.emplace(database());
    refresh_store_.emplace(database());
    revocation_store_.emplace(database());
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
    storage::UserRepository users(database());
    auto user = users.insert(
        {"alice", std::nullopt, std::nullopt, std::nullopt, hash_password(kPassword, kArgon2)});
    ASSERT_TRUE(user.ok());
    alice_ = user->id;
    auto bob = users.insert(
        {"bob", std::nullopt, std::nullopt, std::nullopt, hash_password(kPassword, kArgon2)});
    ASSERT_TRUE(bob.ok());
    bob_ = bob->id;
  }

  static Client svc() {
    Client c;
    c.id = "svc";
    c.grant_types = {"client_credentials"};
    c.scopes = {"read", "write"};
    c.audiences = {"https://api.example"};
    return c;
  }
  // RFC 9700 §2.4: the password grant is for confidential first-party clients.
  static Client app(std::string id = "app") {
    Client c;
    c.id = std::move(id);
    c.first_party = true;
    c.grant_types = {"password", "refresh_token"};
    c.scopes = {"read", "write"};
    return c;
  }
  RefreshTokenGrant refresh_grant(seconds reuse_grace) {
    return RefreshTokenGrant(*refresh_store_, *issuer_,
                             RefreshTokenPolicy{kSuccessorKey, reuse_grace});
  }
  OAuthResult<TokenResponse> refresh(RefreshTokenGrant& grant, const std::string& token) {
    return grant.handle(request({{"refresh_token", token}}), app());
  }
  bool grant_revoked(const std::string& access_token) {
    return db().scalar("SELECT revoked_at IS NOT NULL FROM grants WHERE id = '" +
                       gid(access_token) + "'") == "t";
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
  OAuthResult<TokenResponse> password_grant(const Client& client,
                                            const std::string& username = "alice") {
    storage::UserRepository users(database());
    storage::ThrottleRepository throttle_store(database());
    LoginThrottle throttle(throttle_store, clock_);
    UserAuthenticator authenticator(users, throttle, kArgon2);
    PasswordGrant grant(authenticator, *grant_store_, *issuer_);
    return grant.handle(request({{"username", username}, {"password", std::string(kPassword)}}),
                        client);
  }
  // Two threads present `refresh_token` to `grant` at the same moment (STYLE.md §7.5).
  std::array<std::optional<OAuthResult<TokenResponse>>, 2> redeem_at_once(
      RefreshTokenGrant& grant, const std::string& refresh_token) {
    std::latch start(2);
    std::array<std::optional<OAuthResult<TokenResponse>>, 2> results;
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        const auto r = request({{"refresh_token", refresh_token}});
        start.arrive_and_wait();
        results[i].emplace(grant.handle(r, app()));
      });
    }
    for (auto& t : threads) t.join();
    return results;
  }
  TokenResponse sign_in(const Client& client, const std::string& username = "alice") {
    auto r = password_grant(client, username);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().description);
    return r.ok() ? *r : TokenResponse{};
  }

  static StaticSigningKeys* keys_;
  FixedClock clock_{kT0};
  std::optional<storage::GrantRepository> grant_store_;
  std::optional<storage::RefreshTokenRepository> refresh_store_;
  std::optional<storage::RevocationRepository> revocation_store_;
  std::optional<TokenIssuer> issuer_;
  std::optional<StandingGrants> standing_;
  std::optional<Introspection> introspection_;
  std::optional<Revocation> revocation_;
  std::string alice_;
  std::string bob_;
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
  // Without the retry grace window (KEYWARD_REFRESH_REUSE_GRACE=0).
  auto grant = refresh_grant(seconds(0));
  for (int round = 0; round < 10; ++round) {
    const auto signed_in = sign_in(app());
    const auto results = redeem_at_once(grant, *signed_in.refresh_token);
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
  auto grant = refresh_grant(seconds(10));
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
  auto grant = refresh_grant(seconds(10));
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
  storage::Janitor janitor(database());
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

// --- the password grant: confidential first-party clients only (RFC 9700 §2.4) ---

TEST_F(GrantsTest, Rfc9700_2_4_PasswordGrantRefusedToNonFirstPartyAndPublicClients) {
  auto third_party = app();
  third_party.first_party = false;
  auto refused = password_grant(third_party);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::UnauthorizedClient);
  EXPECT_EQ(refused.error().description,
            "the password grant is only for confidential first-party clients");
  auto public_client = app();
  public_client.confidential = false;
  auto also_refused = password_grant(public_client);
  ASSERT_FALSE(also_refused.ok());
  EXPECT_EQ(also_refused.error().code, ErrorCode::UnauthorizedClient);
  // Refused before the password is checked: no grant, no throttle count.
  EXPECT_EQ(db().scalar("SELECT count(*) FROM grants"), "0");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM login_throttle"), "0");
  EXPECT_TRUE(password_grant(app()).ok());
}

// --- the refresh retry grace window (KEYWARD_REFRESH_REUSE_GRACE) ---

TEST_F(GrantsTest, RetryWithinTheGraceWindowGetsTheSameSuccessorAndKeepsTheGrant) {
  auto grant = refresh_grant(seconds(10));
  const auto signed_in = sign_in(app());
  const auto first = refresh(grant, *signed_in.refresh_token);
  ASSERT_TRUE(first.ok()) << first.error().description;
  // The answer was lost; the client retries with the token it sent.
  clock_.advance(seconds(3));
  const auto retry = refresh(grant, *signed_in.refresh_token);
  ASSERT_TRUE(retry.ok()) << retry.error().description;
  EXPECT_EQ(*retry->refresh_token, *first->refresh_token);
  EXPECT_NE(retry->access_token, first->access_token);
  EXPECT_EQ(gid(retry->access_token), gid(signed_in.access_token));
  EXPECT_FALSE(grant_revoked(signed_in.access_token));
  EXPECT_TRUE(active(retry->access_token));
  EXPECT_TRUE(active(first->access_token));
  EXPECT_TRUE(active(*retry->refresh_token));
  // Nothing was rotated twice: the presented token and its one successor.
  EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens"), "2");
  // The successor works as usual.
  const auto next = refresh(grant, *retry->refresh_token);
  ASSERT_TRUE(next.ok()) << next.error().description;
  EXPECT_TRUE(active(next->access_token));
}

TEST_F(GrantsTest, RetryAfterTheSuccessorWasUsedRevokesTheGrant) {
  auto grant = refresh_grant(seconds(10));
  const auto signed_in = sign_in(app());
  const auto first = refresh(grant, *signed_in.refresh_token);
  ASSERT_TRUE(first.ok());
  const auto second = refresh(grant, *first->refresh_token);
  ASSERT_TRUE(second.ok());
  clock_.advance(seconds(1));
  const auto replay = refresh(grant, *signed_in.refresh_token);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, ErrorCode::InvalidGrant);
  EXPECT_EQ(replay.error().description, "the refresh token was already used; its grant is revoked");
  EXPECT_TRUE(grant_revoked(signed_in.access_token));
  EXPECT_FALSE(active(second->access_token));
  EXPECT_FALSE(active(*second->refresh_token));
  EXPECT_FALSE(refresh(grant, *second->refresh_token).ok());
}

TEST_F(GrantsTest, RetryAfterTheGraceWindowRevokesTheGrant) {
  auto grant = refresh_grant(seconds(10));
  const auto signed_in = sign_in(app());
  const auto first = refresh(grant, *signed_in.refresh_token);
  ASSERT_TRUE(first.ok());
  clock_.advance(seconds(11));
  const auto late = refresh(grant, *signed_in.refresh_token);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().description, "the refresh token was already used; its grant is revoked");
  EXPECT_TRUE(grant_revoked(signed_in.access_token));
  EXPECT_FALSE(active(*first->refresh_token));
}

TEST_F(GrantsTest, WithoutGraceEveryReuseRevokesTheGrant) {
  auto grant = refresh_grant(seconds(0));
  const auto signed_in = sign_in(app());
  const auto first = refresh(grant, *signed_in.refresh_token);
  ASSERT_TRUE(first.ok());
  const auto retry = refresh(grant, *signed_in.refresh_token);
  ASSERT_FALSE(retry.ok());
  EXPECT_EQ(retry.error().description, "the refresh token was already used; its grant is revoked");
  EXPECT_TRUE(grant_revoked(signed_in.access_token));
  EXPECT_FALSE(active(first->access_token));
}

// Two concurrent retries of one token within the window: one rotation, the same
// successor for both, the grant alive.
TEST_F(GrantsTest, ConcurrentRetriesWithinTheGraceWindowRotateOnce) {
  auto grant = refresh_grant(seconds(10));
  for (int round = 0; round < 10; ++round) {
    const auto signed_in = sign_in(app());
    const auto results = redeem_at_once(grant, *signed_in.refresh_token);
    ASSERT_TRUE(results[0]->ok()) << "round " << round << ": " << results[0]->error().description;
    ASSERT_TRUE(results[1]->ok()) << "round " << round << ": " << results[1]->error().description;
    EXPECT_EQ(*(*results[0])->refresh_token, *(*results[1])->refresh_token);
    const auto g = gid(signed_in.access_token);
    EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens WHERE grant_id = '" + g + "'"), "2");
    EXPECT_FALSE(grant_revoked(signed_in.access_token));
    EXPECT_TRUE(active(*(*results[0])->refresh_token));
  }
}

TEST_F(GrantsTest, SuccessorsAreDerivedFromThePresentedTokenUnderTheKey) {
  const auto a = successor_refresh_token(kSuccessorKey, "token-a");
  EXPECT_EQ(a.token, successor_refresh_token(kSuccessorKey, "token-a").token);
  EXPECT_EQ(a.token.size(), 43u);
  EXPECT_EQ(a.hash, sha256(a.token));
  EXPECT_NE(a.token, successor_refresh_token(kSuccessorKey, "token-b").token);
  EXPECT_NE(a.token,
            successor_refresh_token(refresh_successor_key(std::string(32, 'j')), "token-a").token);
}

// --- ending a user's access: set-password, disable, revoke ---

TEST_F(GrantsTest, SetPasswordDisableAndRevokeEndEveryGrantAndSessionOfTheUser) {
  storage::UserRepository users(database());
  storage::SessionRepository sessions(database());
  auto grant = refresh_grant(seconds(10));
  const std::string new_hash = hash_password(kPassword, kArgon2);
  const std::vector<std::string> operations = {"set-password", "disable", "revoke"};
  int round = 0;
  for (const auto& operation : operations) {
    ++round;
    SCOPED_TRACE(operation);
    const auto before = sign_in(app());
    const auto second = sign_in(app());
    const auto other = sign_in(app(), "bob");
    // A signed-in browser session of alice's, and one more of bob's each round.
    const std::string alice_session = sha256(random_token());
    const std::string bob_session = sha256(random_token());
    for (const auto& [hash, user] : {std::pair{alice_session, alice_}, {bob_session, bob_}}) {
      const std::string anonymous = sha256(random_token());
      ASSERT_TRUE(sessions
                      .create(storage::NewSession{anonymous, random_bytes(32), clock_.now(),
                                                  clock_.now() + seconds(3600)})
                      .ok());
      ASSERT_TRUE(*sessions.sign_in(anonymous, hash, user, random_bytes(32), clock_.now(),
                                    clock_.now() + seconds(3600)));
    }
    ASSERT_TRUE(active(before.access_token));
    ASSERT_TRUE(active(*before.refresh_token));

    Result<std::optional<storage::RevokedAccess>, storage::StorageError> done =
        std::optional<storage::RevokedAccess>{};
    if (operation == "set-password") {
      done = users.set_password_hash("Alice", new_hash, clock_.now());
    } else if (operation == "disable") {
      done = users.set_disabled("alice", true, clock_.now());
    } else {
      done = users.revoke_access("alice", clock_.now());
    }
    ASSERT_TRUE(done.ok()) << done.error().message;
    ASSERT_TRUE(done->has_value());
    EXPECT_EQ((*done)->grants_revoked, 2u);
    EXPECT_EQ((*done)->sessions_ended, 1u);

    for (const auto& t : {before, second}) {
      EXPECT_FALSE(active(t.access_token));
      EXPECT_FALSE(active(*t.refresh_token));
      EXPECT_FALSE(refresh(grant, *t.refresh_token).ok());
    }
    EXPECT_EQ(db().scalar("SELECT count(*) FROM browser_sessions WHERE user_id = '" + alice_ + "'"),
              "0");
    // Bob keeps everything.
    EXPECT_TRUE(active(other.access_token));
    EXPECT_TRUE(active(*other.refresh_token));
    EXPECT_EQ(db().scalar("SELECT count(*) FROM browser_sessions WHERE user_id = '" + bob_ + "'"),
              std::to_string(round));
    if (operation == "disable") {
      // Enabling changes the flag only: what was revoked stays revoked.
      auto enabled = users.set_disabled("alice", false, clock_.now());
      ASSERT_TRUE(enabled.ok() && enabled->has_value());
      EXPECT_EQ((*enabled)->grants_revoked, 0u);
      EXPECT_FALSE(active(before.access_token));
    }
  }
  EXPECT_FALSE(users.revoke_access("nobody", clock_.now()).value().has_value());
}

}  // namespace
}  // namespace keyward::grants
