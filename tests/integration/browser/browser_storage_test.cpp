// Browser sign-in's tables against a real PostgreSQL: authorization codes
// (single use, atomic, a replay revokes the grant), browser sessions (idle timeout,
// absolute lifetime, sign-in under a new id, logout revoking the session's grants) and
// remembered consent.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "common/crypto.h"
#include "storage/code_repository.h"
#include "storage/consent_repository.h"
#include "storage/database.h"
#include "storage/grant_repository.h"
#include "storage/session_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using test::StorageTest;
using Outcome = CodeConsumption::Outcome;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));

class BrowserStorageTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    codes_.emplace(database());
    sessions_.emplace(database());
    consents_.emplace(database());
    grants_.emplace(database());
    db().exec(
        "INSERT INTO clients (client_id, name, confidential, token_endpoint_auth_method,"
        " grant_types, scopes, redirect_uris)"
        " VALUES ('spa', 'SPA', false, 'none', '{authorization_code}', '{openid,email}',"
        " '{https://spa.example/cb}'),"
        " ('other', 'Other', false, 'none', '{authorization_code}', '{openid}',"
        " '{https://other.example/cb}')");
    alice_ = db().insert_user("alice");
    bob_ = db().insert_user("bob");
  }

  std::string new_session(TimePoint now = kT0) {
    const std::string hash = sha256(random_token());
    EXPECT_TRUE(sessions_->create(NewSession{hash, random_bytes(32), now, now + hours(1)}).ok());
    return hash;
  }

  // A code for alice through `client`, in `session` (if any); returns the code's digest.
  std::string new_code(
      const std::string& grant_id, std::optional<std::string> session = {},
      std::vector<std::string> scopes = {"openid"},
      std::optional<std::string> challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      const std::string& client = "spa", const std::string& user = {}) {
    NewGrant g{grant_id, client,         user.empty() ? alice_ : user, session, scopes,
               kT0,      kT0 + hours(24)};
    NewCode c;
    c.code_hash = sha256(random_token());
    c.redirect_uri = "https://spa.example/cb";
    c.code_challenge = std::move(challenge);
    c.nonce = "n1";
    c.auth_time = kT0 - seconds(5);
    c.expires_at = kT0 + seconds(60);
    auto created = codes_->create_with_grant(g, c);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return c.code_hash;
  }

  bool revoked(const std::string& grant_id) {
    return db().scalar("SELECT revoked_at IS NOT NULL FROM grants WHERE id = '" + grant_id + "'") ==
           "t";
  }

  std::optional<CodeRepository> codes_;
  std::optional<SessionRepository> sessions_;
  std::optional<ConsentRepository> consents_;
  std::optional<GrantRepository> grants_;
  std::string alice_, bob_;
};

TEST_F(BrowserStorageTest, Rfc6749_4_1_2_CodeIsConsumedOnceWithEverythingItWasBoundTo) {
  const std::string session = new_session();
  const std::string code = new_code("g1", session, {"openid", "email"});
  auto first = codes_->consume(code, "spa", kT0 + seconds(10));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->outcome, Outcome::Consumed);
  const CodeRecord& c = *first->code;
  EXPECT_EQ(c.grant_id, "g1");
  EXPECT_EQ(c.client_id, "spa");
  EXPECT_EQ(c.user_id, alice_);
  EXPECT_EQ(c.redirect_uri, "https://spa.example/cb");
  EXPECT_EQ(c.code_challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(c.nonce, "n1");
  EXPECT_EQ(c.scopes, (std::vector<std::string>{"openid", "email"}));
  EXPECT_EQ(c.session_id_hash, session);
  EXPECT_EQ(c.auth_time, kT0 - seconds(5));
  EXPECT_EQ(c.grant_expires_at, kT0 + hours(24));
  EXPECT_EQ(db().scalar("SELECT code_challenge_method FROM authorization_codes"), "S256");
  EXPECT_FALSE(revoked("g1"));

  // The replay: refused, and the grant is revoked.
  auto second = codes_->consume(code, "spa", kT0 + seconds(11));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcome, Outcome::AlreadyConsumed);
  EXPECT_TRUE(second->grant_revoked);
  EXPECT_TRUE(revoked("g1"));
  auto third = codes_->consume(code, "spa", kT0 + seconds(12));
  EXPECT_EQ(third->outcome, Outcome::AlreadyConsumed);
  EXPECT_FALSE(third->grant_revoked) << "already revoked";
}

TEST_F(BrowserStorageTest, CodeWithoutChallengeOrSession) {
  const std::string code = new_code("g1", std::nullopt, {"openid"}, std::nullopt);
  auto r = codes_->consume(code, "spa", kT0);
  ASSERT_EQ(r->outcome, Outcome::Consumed);
  EXPECT_FALSE(r->code->code_challenge);
  EXPECT_FALSE(r->code->session_id_hash);
  EXPECT_EQ(db().scalar("SELECT code_challenge_method IS NULL FROM authorization_codes"), "t");
}

TEST_F(BrowserStorageTest, WrongClientExpiredRevokedAndUnknownCodesAreNotConsumed) {
  const std::string code = new_code("g1");
  // Another client cannot consume it, nor burn it.
  EXPECT_EQ(codes_->consume(code, "other", kT0)->outcome, Outcome::WrongClient);
  EXPECT_FALSE(revoked("g1"));
  EXPECT_EQ(codes_->consume(code, "spa", kT0 + seconds(60))->outcome, Outcome::Expired);
  EXPECT_EQ(codes_->consume(sha256("nope"), "spa", kT0)->outcome, Outcome::NotFound);

  const std::string code2 = new_code("g2");
  ASSERT_TRUE(grants_->revoke("g2", kT0).ok());
  EXPECT_EQ(codes_->consume(code2, "spa", kT0)->outcome, Outcome::GrantInactive);

  const std::string code3 = new_code("g3");
  db().exec("UPDATE users SET disabled = true WHERE username = 'alice'");
  EXPECT_EQ(codes_->consume(code3, "spa", kT0)->outcome, Outcome::UserDisabled);
}

TEST_F(BrowserStorageTest, TwoConcurrentRedemptionsExactlyOneWins) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 5; ++round) {
    const std::string grant = "race" + std::to_string(round);
    const std::string code = new_code(grant);
    std::latch start(kThreads);
    std::vector<Outcome> outcomes(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto r = codes_->consume(code, "spa", kT0);
        outcomes[static_cast<size_t>(i)] = r.ok() ? r->outcome : Outcome::NotFound;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), Outcome::Consumed), 1);
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), Outcome::AlreadyConsumed), kThreads - 1);
    EXPECT_TRUE(revoked(grant)) << "the losers' replays revoke the grant";
  }
}

TEST_F(BrowserStorageTest, SessionIdleTimeoutAndAbsoluteLifetime) {
  const std::string s = new_session();
  const auto idle = seconds(600);
  auto found = sessions_->touch(s, kT0 + seconds(599), idle);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_FALSE((*found)->user_id);
  EXPECT_EQ((*found)->csrf_secret.size(), 32u);
  // Used at +599 s, so alive until +1199 s.
  EXPECT_TRUE(sessions_->touch(s, kT0 + seconds(1198), idle)->has_value());
  EXPECT_TRUE(sessions_->touch(s, kT0 + seconds(1797), idle)->has_value());
  EXPECT_FALSE(sessions_->touch(s, kT0 + seconds(1797 + 600), idle)->has_value()) << "idle";
  // The absolute lifetime (1 h) ends it however busy it is.
  const std::string busy = new_session();
  for (int m = 5; m < 60; m += 5) {
    EXPECT_TRUE(sessions_->touch(busy, kT0 + seconds(60 * m), idle)->has_value());
  }
  EXPECT_FALSE(sessions_->touch(busy, kT0 + hours(1), idle)->has_value()) << "absolute";
  EXPECT_FALSE(sessions_->touch(sha256("unknown"), kT0, idle)->has_value());
}

TEST_F(BrowserStorageTest, SignInReplacesTheSessionAndItsCsrfSecret) {
  const std::string old_hash = new_session();
  const std::string old_secret = (*sessions_->touch(old_hash, kT0, seconds(600)))->csrf_secret;
  const std::string new_hash = sha256(random_token());
  const std::string secret = random_bytes(32);
  auto ok =
      sessions_->sign_in(old_hash, new_hash, alice_, secret, kT0 + seconds(1), kT0 + hours(12));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
  EXPECT_FALSE(sessions_->touch(old_hash, kT0 + seconds(2), seconds(600))->has_value());
  auto signed_in = sessions_->touch(new_hash, kT0 + seconds(2), seconds(600));
  ASSERT_TRUE(signed_in->has_value());
  EXPECT_EQ((*signed_in)->user_id, alice_);
  EXPECT_EQ((*signed_in)->auth_time, kT0 + seconds(1));
  EXPECT_EQ((*signed_in)->csrf_secret, secret);
  EXPECT_NE((*signed_in)->csrf_secret, old_secret);
  EXPECT_EQ((*signed_in)->expires_at, kT0 + hours(12));
  // The old id cannot sign in again.
  EXPECT_FALSE(
      *sessions_->sign_in(old_hash, sha256("x"), alice_, random_bytes(32), kT0, kT0 + hours(1)));

  // Signing in again (prompt=login) moves the same user's grants to the new id; a
  // different user's sign-in revokes the previous user's grants in it.
  new_code("alice-grant", new_hash);
  const std::string third = sha256(random_token());
  ASSERT_TRUE(*sessions_->sign_in(new_hash, third, alice_, random_bytes(32), kT0 + seconds(5),
                                  kT0 + hours(12)));
  EXPECT_EQ(db().scalar("SELECT session_id_hash = decode('" + to_hex(third) +
                        "', 'hex') FROM grants WHERE id = 'alice-grant'"),
            "t");
  EXPECT_FALSE(revoked("alice-grant"));
  const std::string fourth = sha256(random_token());
  ASSERT_TRUE(*sessions_->sign_in(third, fourth, bob_, random_bytes(32), kT0 + seconds(9),
                                  kT0 + hours(12)));
  EXPECT_TRUE(revoked("alice-grant"));
}

TEST_F(BrowserStorageTest, StartWritesASignedInSessionWithItsOwnCsrfSecret) {
  // A browser's first sign-in: no anonymous row before it, one signed-in row after.
  const std::string hash = sha256(random_token());
  const std::string secret = random_bytes(32);
  auto ok = sessions_->start(NewSignedInSession{hash, alice_, secret, kT0, kT0 + hours(12)});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(*ok);
  auto found = sessions_->touch(hash, kT0 + seconds(1), seconds(600));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->user_id, alice_);
  EXPECT_EQ((*found)->auth_time, kT0);
  EXPECT_EQ((*found)->csrf_secret, secret);
  EXPECT_EQ((*found)->created_at, kT0);
  EXPECT_EQ((*found)->expires_at, kT0 + hours(12));
  EXPECT_EQ(db().scalar("SELECT count(*) FROM browser_sessions"), "1");
  // The same id twice is a storage error, never a second row.
  EXPECT_FALSE(sessions_->start(NewSignedInSession{hash, bob_, secret, kT0, kT0 + hours(12)}).ok());
  // And it signs in again (prompt=login) like any session.
  EXPECT_TRUE(*sessions_->sign_in(hash, sha256(random_token()), alice_, random_bytes(32),
                                  kT0 + seconds(5), kT0 + hours(12)));
}

TEST_F(BrowserStorageTest, LogoutRevokesTheSessionsGrantsExceptOfflineAccess) {
  const std::string s = new_session();
  const std::string signed_in = sha256(random_token());
  ASSERT_TRUE(*sessions_->sign_in(s, signed_in, alice_, random_bytes(32), kT0, kT0 + hours(12)));
  new_code("online", signed_in, {"openid"});
  new_code("offline", signed_in, {"openid", "offline_access"});
  const std::string elsewhere = new_session();
  const std::string other_session = sha256(random_token());
  ASSERT_TRUE(*sessions_->sign_in(elsewhere, other_session, alice_, random_bytes(32), kT0,
                                  kT0 + hours(12)));
  new_code("other-browser", other_session, {"openid"});

  auto ended = sessions_->end(signed_in, kT0 + seconds(30));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, alice_);
  EXPECT_TRUE(revoked("online"));
  EXPECT_FALSE(revoked("offline"));
  EXPECT_FALSE(revoked("other-browser"));
  EXPECT_FALSE(sessions_->touch(signed_in, kT0 + seconds(31), seconds(600))->has_value());
  EXPECT_EQ(*sessions_->end(signed_in, kT0 + seconds(32)), std::nullopt);
}

TEST_F(BrowserStorageTest, ConsentIsAUnionPerUserAndClient) {
  EXPECT_EQ(*consents_->find(alice_, "spa"), std::nullopt);
  ASSERT_TRUE(consents_->remember(alice_, "spa", {"openid", "email"}, kT0).ok());
  ASSERT_TRUE(consents_->remember(alice_, "spa", {"openid"}, kT0).ok());
  EXPECT_EQ(*consents_->find(alice_, "spa"), (std::vector<std::string>{"email", "openid"}));
  ASSERT_TRUE(consents_->remember(alice_, "spa", {"profile"}, kT0).ok());
  EXPECT_EQ(*consents_->find(alice_, "spa"),
            (std::vector<std::string>{"email", "openid", "profile"}));
  EXPECT_EQ(*consents_->find(bob_, "spa"), std::nullopt);
  EXPECT_EQ(*consents_->find(alice_, "other"), std::nullopt);
  ASSERT_TRUE(consents_->remember(alice_, "other", {}, kT0).ok());
  EXPECT_EQ(*consents_->find(alice_, "other"), std::vector<std::string>{});
  EXPECT_TRUE(*consents_->revoke(alice_, "spa"));
  EXPECT_FALSE(*consents_->revoke(alice_, "spa"));
  EXPECT_EQ(*consents_->find(alice_, "spa"), std::nullopt);
}

}  // namespace
}  // namespace keyward::storage
