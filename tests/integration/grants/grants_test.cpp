// The grants against a real PostgreSQL with a real signing key: client credentials on a
// cached standing grant, password (first-party confidential clients only), the
// authorization code, refresh with rotation, reuse detection (two threads, exactly one
// wins) and the retry grace window, every handler's refusals as one table, ending a
// user's access (set-password, disable, revoke), introspection and revocation.
#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <set>
#include <thread>

#include "audit/event.h"
#include "common/crypto.h"
#include "grants/access_token_verification.h"
#include "grants/authorization_code.h"
#include "grants/client_credentials.h"
#include "grants/id_token.h"
#include "grants/introspection.h"
#include "grants/login_throttle.h"
#include "grants/password.h"
#include "grants/pkce.h"
#include "grants/refresh_token.h"
#include "grants/revocation.h"
#include "grants/token_issuer.h"
#include "grants/user_authenticator.h"
#include "grants/userinfo.h"
#include "grants/wire.h"
#include "storage/code_repository.h"
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

// These tests look at what the modules do, not at what they report.
audit::NullEventSink no_events;

using std::chrono::seconds;
using test::StorageTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));
const std::string kIssuer = "https://issuer.example";
constexpr std::string_view kPassword = "hunter2 hunter2";
const Argon2Params kArgon2{8192, 1, 1};
const std::string kSuccessorKey = refresh_successor_key(std::string(32, 'k'));
const std::string kCallback = "https://app.example/cb";
// RFC 7636 Appendix B.
const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

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
    code_store_.emplace(database());
    user_store_.emplace(database());
    id_tokens_.emplace(*keys_, clock_, IdTokenConfig{kIssuer, seconds(600)});
    db().exec(
        "INSERT INTO clients (client_id, secret_hmac, name, confidential,"
        " token_endpoint_auth_method, grant_types, scopes, audiences) VALUES"
        " ('svc', decode(repeat('ab', 32), 'hex'), 'Svc', true, 'client_secret_basic',"
        "  '{client_credentials}', '{read,write}', '{https://api.example}'),"
        " ('app', decode(repeat('cd', 32), 'hex'), 'App', true, 'client_secret_basic',"
        "  '{password,refresh_token}', '{read,write}', '{}'),"
        " ('app2', decode(repeat('ef', 32), 'hex'), 'App2', true, 'client_secret_basic',"
        "  '{password}', '{read}', '{}')");
    db().exec(
        "INSERT INTO clients (client_id, secret_hmac, name, confidential,"
        " token_endpoint_auth_method, grant_types, scopes, audiences, redirect_uris) VALUES"
        " ('web', decode(repeat('12', 32), 'hex'), 'Web', true, 'client_secret_basic',"
        "  '{authorization_code,refresh_token}', '{openid,read}', '{}', '{" +
        kCallback + "}')");
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
  // A confidential client of the code flow that may refresh.
  static Client web() {
    Client c;
    c.id = "web";
    c.grant_types = {"authorization_code", "refresh_token"};
    c.scopes = {"openid", "read"};
    c.redirect_uris = {kCallback};
    return c;
  }
  AuthorizationCodeGrant code_grant() {
    return AuthorizationCodeGrant(*code_store_, *grant_store_, *refresh_store_, *user_store_,
                                  *issuer_, *id_tokens_, no_events);
  }
  // A code of web's for alice, stored as the authorization endpoint stores it (its grant's
  // id in last_code_grant_).
  std::string new_code(std::optional<std::string> challenge = std::nullopt) {
    std::string code = random_token();
    storage::NewGrant grant;
    grant.id = last_code_grant_ = random_token(16);
    grant.client_id = "web";
    grant.user_id = alice_;
    grant.scopes = {"openid", "read"};
    grant.created_at = clock_.now();
    grant.expires_at = clock_.now() + seconds(86400);
    storage::NewCode row;
    row.code_hash = sha256(code);
    row.redirect_uri = kCallback;
    row.code_challenge = std::move(challenge);
    row.nonce = "n-1";
    row.auth_time = clock_.now();
    row.expires_at = clock_.now() + seconds(60);
    EXPECT_TRUE(code_store_->create_with_grant(grant, row).ok());
    return code;
  }
  static TokenRequest code_request(const std::string& code,
                                   std::optional<std::string> verifier = std::nullopt,
                                   const std::string& redirect_uri = kCallback) {
    auto r = request({{"code", code}, {"redirect_uri", redirect_uri}});
    if (verifier) r.params.emplace("code_verifier", *verifier);
    return r;
  }
  bool grant_id_revoked(const std::string& grant_id) {
    return db().scalar("SELECT revoked_at IS NOT NULL FROM grants WHERE id = '" + grant_id + "'") ==
           "t";
  }
  RefreshTokenGrant refresh_grant(seconds reuse_grace) {
    return RefreshTokenGrant(*refresh_store_, *issuer_,
                             RefreshTokenPolicy{kSuccessorKey, reuse_grace}, no_events);
  }
  OAuthResult<TokenResponse> refresh(RefreshTokenGrant& grant, const std::string& token) {
    return grant.handle(request({{"refresh_token", token}}), app());
  }
  bool grant_revoked(const std::string& access_token) {
    return grant_id_revoked(gid(access_token));
  }
  // Two threads present one refresh token of app's at the same moment.
  std::array<std::optional<OAuthResult<TokenResponse>>, 2> race(RefreshTokenGrant& grant,
                                                                const std::string& token) {
    std::latch start(2);
    std::array<std::optional<OAuthResult<TokenResponse>>, 2> results;
    std::vector<std::thread> threads;
    threads.reserve(2);
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        const auto r = request({{"refresh_token", token}});
        start.arrive_and_wait();
        results[i].emplace(grant.handle(r, app()));
      });
    }
    for (auto& t : threads) t.join();
    return results;
  }
  static TokenRequest request(std::initializer_list<std::pair<std::string, std::string>> params) {
    TokenRequest r;
    for (const auto& [k, v] : params) r.params.emplace(k, v);
    r.meta.client_ip = "203.0.113.9";
    return r;
  }
  std::string gid(const std::string& token) {
    auto jwt = verify_own_access_token(token, *keys_, kIssuer, AnyAudience{}, clock_.now());
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
    return password_request(
        client, request({{"username", username}, {"password", std::string(kPassword)}}));
  }
  OAuthResult<TokenResponse> password_request(const Client& client, const TokenRequest& r) {
    storage::ThrottleRepository throttle_store(database());
    LoginThrottle throttle(throttle_store, clock_);
    UserAuthenticator authenticator(*user_store_, throttle, kArgon2, no_events);
    PasswordGrant grant(authenticator, *grant_store_, *issuer_);
    return grant.handle(r, client);
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
  std::optional<storage::CodeRepository> code_store_;
  std::optional<storage::UserRepository> user_store_;
  std::optional<IdTokenIssuer> id_tokens_;
  std::string last_code_grant_;
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
    const auto results = race(grant, *signed_in.refresh_token);
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

// --- every handler's refusals ---

// One row per refusal: the error, what its description says, and (unless the row must
// write to get there: a code to redeem, a failed password to count) that nothing was
// written: no grant, no refresh token, no throttle count.
TEST_F(GrantsTest, EveryHandlerRefusesWithItsError) {
  ClientCredentialsGrant client_credentials(*issuer_, *standing_);
  auto code = code_grant();
  auto refreshing = refresh_grant(seconds(10));
  const auto signed_in = sign_in(app());
  auto public_client = [](Client c) {
    c.confidential = false;
    return c;
  };
  auto third_party = app();
  third_party.first_party = false;
  const std::string password(kPassword);
  const std::string challenge = pkce_s256_challenge(kVerifier);

  struct Row {
    std::string name;
    std::function<OAuthResult<TokenResponse>()> run;
    ErrorCode code;
    std::string says;
    bool writes = false;
    std::function<void()> then = [] {};
  };
  const Row rows[] = {
      // RFC 6749 §4.4: confidential clients only; RFC 6749 §3.3: the client's scopes.
      {"client_credentials: public client",
       [&] { return client_credentials.handle(request({}), public_client(svc())); },
       ErrorCode::UnauthorizedClient, "public clients may not use the client_credentials grant"},
      {"client_credentials: scope beyond the client",
       [&] {
         return client_credentials.handle(request({{"scope", "read admin"}}), svc());
       },
       ErrorCode::InvalidScope, "exceeds what this client may request"},
      {"client_credentials: scope malformed",
       [&] {
         return client_credentials.handle(request({{"scope", "read  write"}}), svc());
       },
       ErrorCode::InvalidScope, "malformed"},
      // RFC 9700 §2.4: confidential first-party clients only, refused before the password
      // is checked; RFC 6749 §4.3.2: username and password are required.
      {"password: third-party client", [&] { return password_grant(third_party); },
       ErrorCode::UnauthorizedClient,
       "the password grant is only for confidential first-party clients"},
      {"password: public client", [&] { return password_grant(public_client(app())); },
       ErrorCode::UnauthorizedClient, "only for confidential first-party clients"},
      {"password: no username",
       [&] {
         return password_request(app(), request({{"password", password}}));
       },
       ErrorCode::InvalidRequest, "username is required"},
      {"password: no password",
       [&] {
         return password_request(app(), request({{"username", "alice"}}));
       },
       ErrorCode::InvalidRequest, "password is required"},
      {"password: scope beyond the client",
       [&] {
         return password_request(
             app(), request({{"username", "alice"}, {"password", password}, {"scope", "admin"}}));
       },
       ErrorCode::InvalidScope, "exceeds what this client may request"},
      {"password: wrong password",
       [&] {
         return password_request(app(),
                                 request({{"username", "alice"}, {"password", "wrong password"}}));
       },
       ErrorCode::InvalidGrant, "invalid username or password", true},
      {"password: unknown user", [&] { return password_grant(app(), "nobody"); },
       ErrorCode::InvalidGrant, "invalid username or password", true},
      // RFC 6749 §6.
      {"refresh_token: missing", [&] { return refreshing.handle(request({}), app()); },
       ErrorCode::InvalidRequest, "refresh_token is required"},
      {"refresh_token: unknown", [&] { return refresh(refreshing, "no-such-token"); },
       ErrorCode::InvalidGrant, "the refresh token is invalid, expired or revoked"},
      {"refresh_token: scope malformed",
       [&] {
         return refreshing.handle(
             request({{"refresh_token", *signed_in.refresh_token}, {"scope", "read  write"}}),
             app());
       },
       ErrorCode::InvalidScope, "malformed"},
      {"refresh_token: scope wider than granted",
       [&] {
         return refreshing.handle(
             request({{"refresh_token", *signed_in.refresh_token}, {"scope", "read admin"}}),
             app());
       },
       ErrorCode::InvalidScope, "exceeds what the refresh token was granted"},
      {"refresh_token: another client's (RFC 6749 §10.4)",
       [&] {
         return refreshing.handle(request({{"refresh_token", *signed_in.refresh_token}}),
                                  app("app2"));
       },
       ErrorCode::InvalidGrant, "the refresh token is invalid, expired or revoked"},
      // RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §4.8.2.
      {"authorization_code: no code",
       [&] {
         return code.handle(request({{"redirect_uri", kCallback}}), web());
       },
       ErrorCode::InvalidRequest, "code is required"},
      {"authorization_code: no redirect_uri",
       [&] {
         return code.handle(request({{"code", "some-code"}}), web());
       },
       ErrorCode::InvalidRequest, "redirect_uri is required"},
      {"authorization_code: unknown code",
       [&] { return code.handle(code_request("no-such-code"), web()); }, ErrorCode::InvalidGrant,
       "the authorization code is invalid, expired or revoked"},
      {"authorization_code: another client's code",
       [&] { return code.handle(code_request(new_code()), app()); }, ErrorCode::InvalidGrant,
       "the authorization code is invalid, expired or revoked", true},
      {"authorization_code: replayed",
       [&] {
         const auto once = new_code();
         EXPECT_TRUE(code.handle(code_request(once), web()).ok());
         return code.handle(code_request(once), web());
       },
       ErrorCode::InvalidGrant, "already used; its grant is revoked", true,
       [&] { EXPECT_TRUE(grant_id_revoked(last_code_grant_)); }},
      {"authorization_code: redirect_uri differs",
       [&] { return code.handle(code_request(new_code(), {}, kCallback + "/other"), web()); },
       ErrorCode::InvalidGrant, "redirect_uri does not match the authorization request", true,
       [&] { EXPECT_TRUE(grant_id_revoked(last_code_grant_)); }},
      {"authorization_code: verifier missing",
       [&] { return code.handle(code_request(new_code(challenge)), web()); },
       ErrorCode::InvalidGrant, "code_verifier is required", true,
       [&] { EXPECT_TRUE(grant_id_revoked(last_code_grant_)); }},
      {"authorization_code: verifier wrong",
       [&] { return code.handle(code_request(new_code(challenge), std::string(43, 'v')), web()); },
       ErrorCode::InvalidGrant, "code_verifier does not match the code_challenge", true,
       [&] { EXPECT_TRUE(grant_id_revoked(last_code_grant_)); }},
      {"authorization_code: verifier without challenge (PKCE downgrade)",
       [&] { return code.handle(code_request(new_code(), kVerifier), web()); },
       ErrorCode::InvalidGrant, "code_verifier sent for a code issued without a code_challenge",
       true, [&] { EXPECT_TRUE(grant_id_revoked(last_code_grant_)); }},
  };
  auto written = [&] {
    return *db().scalar(
        "SELECT (SELECT count(*) FROM grants) || '/' ||"
        " (SELECT count(*) FROM refresh_tokens) || '/' ||"
        " (SELECT count(*) FROM login_throttle)");
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const std::string before = written();
    const auto r = row.run();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, row.code) << r.error().wire_name();
    EXPECT_NE(r.error().description.find(row.says), std::string::npos) << r.error().description;
    if (!row.writes) {
      EXPECT_EQ(written(), before);
    }
    row.then();
  }
  // The refusals above spent nothing that was still good.
  EXPECT_TRUE(active(*signed_in.refresh_token));
  EXPECT_TRUE(password_grant(app()).ok());
}

TEST_F(GrantsTest, Rfc6749_4_1_3_CodeRedeemedForTokensAndAnIdToken) {
  auto grant = code_grant();
  const auto code = new_code(pkce_s256_challenge(kVerifier));
  auto r = grant.handle(code_request(code, kVerifier), web());
  ASSERT_TRUE(r.ok()) << r.error().description;
  EXPECT_EQ(r->scope, "openid read");
  EXPECT_EQ(gid(r->access_token), last_code_grant_);
  ASSERT_TRUE(r->refresh_token.has_value());
  ASSERT_TRUE(r->id_token.has_value());
  auto id_token = id_tokens_->verify_hint(*r->id_token);
  ASSERT_TRUE(id_token.has_value());
  EXPECT_EQ(id_token->claims()["sub"], alice_);
  EXPECT_EQ(id_token->claims()["aud"], "web");
  EXPECT_EQ(id_token->claims()["nonce"], "n-1");
  EXPECT_FALSE(grant_id_revoked(last_code_grant_));
}

// --- UserInfo serves tokens issued for Keyward itself (grants/userinfo.h) ---

TEST_F(GrantsTest, UserinfoServesCodeFlowTokensWhateverTheClientsAudiences) {
  UserInfo userinfo(*keys_, *revocation_store_, *user_store_, clock_, kIssuer);
  auto with_api = web();
  with_api.audiences = {"https://api.example"};
  for (const Client& client : {web(), with_api}) {
    const auto code = new_code(pkce_s256_challenge(kVerifier));
    auto r = code_grant().handle(code_request(code, kVerifier), client);
    ASSERT_TRUE(r.ok()) << r.error().description;
    auto claims = userinfo.claims(r->access_token);
    ASSERT_TRUE(claims.ok()) << client.audiences.size() << ": " << claims.error().description;
    EXPECT_EQ((*claims)["sub"], alice_);
  }
}

TEST_F(GrantsTest, Rfc6750_3_1_UserinfoRefusesATokenIssuedForAnotherResourceServer) {
  UserInfo userinfo(*keys_, *revocation_store_, *user_store_, clock_, kIssuer);
  ClientCredentialsGrant grant(*issuer_, *standing_);
  auto r = grant.handle(request({}), svc());  // aud https://api.example
  ASSERT_TRUE(r.ok()) << r.error().description;
  auto claims = userinfo.claims(r->access_token);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().code, ErrorCode::InvalidToken);
  EXPECT_EQ(claims.error().http_status(), 401);
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
    const auto results = race(grant, *signed_in.refresh_token);
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
