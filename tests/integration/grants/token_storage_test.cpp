// The token tables against a real PostgreSQL (DESIGN.md "Tokens"): grants,
// standing grants, refresh-token rotation with reuse detection, the access-token
// deny-list, and the janitor.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "common/crypto.h"
#include "storage/database.h"
#include "storage/grant_repository.h"
#include "storage/janitor.h"
#include "storage/refresh_token_repository.h"
#include "storage/revocation_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using test::StorageTest;
using Outcome = Rotation::Outcome;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000));
constexpr auto kDay = hours(24);

class TokenStorageTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    grants_.emplace(database());
    refresh_.emplace(database());
    revocations_.emplace(database());
    db().exec(
        "INSERT INTO clients (client_id, secret_hmac, name, confidential,"
        " token_endpoint_auth_method, grant_types, scopes)"
        " VALUES ('app', decode(repeat('ab', 32), 'hex'), 'App', true, 'client_secret_basic',"
        " '{password,refresh_token,client_credentials}', '{read,write}'),"
        " ('other', decode(repeat('cd', 32), 'hex'), 'Other', true, 'client_secret_basic',"
        " '{password,refresh_token}', '{read}')");
    user_id_ = db().insert_user("alice");
  }

  // A password-style grant for alice with its first refresh token; returns the token's
  // digest.
  std::string new_grant(const std::string& grant_id, TimePoint expires_at = kT0 + kDay) {
    NewGrant g{grant_id, "app", user_id_, std::nullopt, {"read", "write"}, kT0, expires_at};
    const std::string hash = sha256(random_token());
    NewRefreshToken r{hash, grant_id, "app", {"read", "write"}, kT0, expires_at};
    auto created = grants_->create_with_refresh_token(g, r);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return hash;
  }

  Rotation rotate(const std::string& hash, const std::string& successor,
                  std::vector<std::string> scopes = {}, std::string client = "app",
                  TimePoint now = kT0 + seconds(10)) {
    auto r = refresh_->rotate(hash, client, scopes, successor, now);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : Rotation{};
  }

  std::optional<GrantRepository> grants_;
  std::optional<RefreshTokenRepository> refresh_;
  std::optional<RevocationRepository> revocations_;
  std::string user_id_;
};

TEST_F(TokenStorageTest, GrantWithRefreshTokenRoundTrips) {
  const auto hash = new_grant("g1");
  auto grant = grants_->find("g1");
  ASSERT_TRUE(grant.ok());
  ASSERT_TRUE(grant->has_value());
  EXPECT_EQ((*grant)->client_id, "app");
  EXPECT_EQ((*grant)->user_id, user_id_);
  EXPECT_EQ((*grant)->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_FALSE((*grant)->standing);
  EXPECT_EQ((*grant)->expires_at, kT0 + kDay);
  EXPECT_FALSE((*grant)->revoked_at.has_value());

  auto token = refresh_->find_active(hash, kT0 + seconds(1));
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(token->has_value());
  EXPECT_EQ((*token)->grant_id, "g1");
  EXPECT_EQ((*token)->user_id, user_id_);
  EXPECT_EQ((*token)->scopes, (std::vector<std::string>{"read", "write"}));
  // Stored as the digest only: the raw bytes appear nowhere.
  EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens WHERE token_hash = decode('" +
                        to_hex(hash) + "', 'hex')"),
            "1");
}

TEST_F(TokenStorageTest, GrantForUnknownClientIsForeignKeyViolation) {
  NewGrant g{"g1", "nobody", std::nullopt, std::nullopt, {}, kT0, kT0 + kDay};
  auto r = grants_->create(g);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StorageErrorCode::ForeignKeyViolation);
}

TEST_F(TokenStorageTest, RotationIssuesSuccessorWithSameGrantScopesAndExpiry) {
  const auto hash = new_grant("g1");
  const auto next = sha256(random_token());
  auto r = rotate(hash, next, {"read"});
  ASSERT_EQ(r.outcome, Outcome::Rotated);
  ASSERT_TRUE(r.token.has_value());
  EXPECT_EQ(r.token->grant_id, "g1");
  EXPECT_EQ(r.token->user_id, user_id_);
  // The refresh token keeps the grant's scopes (RFC 6749 §6); narrowing is for the
  // access token only.
  auto successor = refresh_->find_active(next, kT0 + seconds(11));
  ASSERT_TRUE(successor.ok());
  ASSERT_TRUE(successor->has_value());
  EXPECT_EQ((*successor)->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ((*successor)->expires_at, kT0 + kDay);
  EXPECT_EQ((*successor)->created_at, kT0 + seconds(10));
  // The presented one is no longer active.
  auto old = refresh_->find_active(hash, kT0 + seconds(11));
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->has_value());
}

TEST_F(TokenStorageTest, ReuseOfRotatedTokenRevokesGrantAndKillsSuccessor) {
  const auto first = new_grant("g1");
  const auto second = sha256(random_token());
  ASSERT_EQ(rotate(first, second).outcome, Outcome::Rotated);
  auto reuse = rotate(first, sha256(random_token()));
  EXPECT_EQ(reuse.outcome, Outcome::AlreadyRotated);
  EXPECT_TRUE(reuse.grant_revoked);
  auto grant = grants_->find("g1");
  ASSERT_TRUE(grant.ok() && grant->has_value());
  EXPECT_EQ((*grant)->revoked_at, kT0 + seconds(10));
  // The newest token dies with its grant.
  auto successor = refresh_->find_active(second, kT0 + seconds(11));
  ASSERT_TRUE(successor.ok());
  EXPECT_FALSE(successor->has_value());
  EXPECT_EQ(rotate(second, sha256(random_token())).outcome, Outcome::GrantInactive);
  // A second replay finds the grant already revoked.
  auto again = rotate(first, sha256(random_token()));
  EXPECT_EQ(again.outcome, Outcome::AlreadyRotated);
  EXPECT_FALSE(again.grant_revoked);
}

TEST_F(TokenStorageTest, RotationRefusals) {
  const auto hash = new_grant("g1");
  EXPECT_EQ(rotate(sha256("unknown"), sha256(random_token())).outcome, Outcome::NotFound);
  EXPECT_EQ(rotate(hash, sha256(random_token()), {}, "other").outcome, Outcome::WrongClient);
  EXPECT_EQ(rotate(hash, sha256(random_token()), {"admin"}).outcome, Outcome::ScopeNotGranted);
  EXPECT_EQ(rotate(hash, sha256(random_token()), {}, "app", kT0 + kDay).outcome,
            Outcome::GrantInactive);
  db().exec("UPDATE users SET disabled = true");
  EXPECT_EQ(rotate(hash, sha256(random_token())).outcome, Outcome::UserDisabled);
  db().exec("UPDATE users SET disabled = false");
  // None of the refusals above rotated or revoked anything.
  EXPECT_EQ(rotate(hash, sha256(random_token())).outcome, Outcome::Rotated);
}

TEST_F(TokenStorageTest, ExpiredTokenOfLiveGrantIsExpired) {
  const auto grant = "g1";
  NewGrant g{grant, "app", user_id_, std::nullopt, {"read"}, kT0, kT0 + kDay};
  ASSERT_TRUE(grants_->create(g).ok());
  const auto hash = sha256(random_token());
  ASSERT_TRUE(refresh_->insert({hash, grant, "app", {"read"}, kT0, kT0 + seconds(5)}).ok());
  EXPECT_EQ(rotate(hash, sha256(random_token())).outcome, Outcome::Expired);
}

TEST_F(TokenStorageTest, SecondLiveTokenPerGrantIsRefused) {
  const auto hash = new_grant("g1");
  auto r = refresh_->insert({sha256(random_token()), "g1", "app", {}, kT0, kT0 + kDay});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StorageErrorCode::UniqueViolation);
  EXPECT_EQ(r.error().constraint, "refresh_tokens_one_live_per_grant");
}

// STYLE.md §7.5: two threads rotate one refresh token; exactly one wins and the loser
// revokes the grant.
TEST_F(TokenStorageTest, ConcurrentRotationExactlyOneWinsAndLoserRevokes) {
  for (int round = 0; round < 20; ++round) {
    const std::string grant = "race" + std::to_string(round);
    const auto hash = new_grant(grant);
    std::latch start(2);
    std::array<Outcome, 2> outcomes{};
    std::array<bool, 2> revoked{};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto r = refresh_->rotate(hash, "app", {}, sha256(random_token()), kT0 + seconds(10));
        ASSERT_TRUE(r.ok()) << r.error().message;
        outcomes[i] = r->outcome;
        revoked[i] = r->grant_revoked;
      });
    }
    for (auto& t : threads) t.join();
    const int winners = (outcomes[0] == Outcome::Rotated) + (outcomes[1] == Outcome::Rotated);
    ASSERT_EQ(winners, 1) << "round " << round;
    const int loser = outcomes[0] == Outcome::Rotated ? 1 : 0;
    EXPECT_EQ(outcomes[loser], Outcome::AlreadyRotated);
    EXPECT_TRUE(revoked[loser]);
    EXPECT_EQ(db().scalar("SELECT revoked_at IS NOT NULL FROM grants WHERE id = '" + grant + "'"),
              "t");
    // The winner's successor died with the grant.
    EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens WHERE grant_id = '" + grant + "'"),
              "2");
  }
}

TEST_F(TokenStorageTest, StandingGrantIsCreatedOnceAndReused) {
  NewGrant fresh{"s1", "app", std::nullopt, std::nullopt, {"read"}, kT0, kT0 + kDay * 365};
  auto first = grants_->standing_grant("app", kT0 + hours(1), fresh);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->id, "s1");
  EXPECT_EQ(first->expires_at, kT0 + kDay * 365);
  fresh.id = "s2";
  auto second = grants_->standing_grant("app", kT0 + hours(1), fresh);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, "s1");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM grants"), "1");
}

TEST_F(TokenStorageTest, StandingGrantNearItsEndIsSucceededButStaysValid) {
  NewGrant fresh{"s1", "app", std::nullopt, std::nullopt, {}, kT0, kT0 + hours(2)};
  ASSERT_TRUE(grants_->standing_grant("app", kT0 + hours(1), fresh).ok());
  fresh.id = "s2";
  fresh.expires_at = kT0 + kDay * 365;
  auto next = grants_->standing_grant("app", kT0 + hours(3), fresh);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, "s2");
  // s1 is no longer standing but its tokens still introspect as active until it ends.
  auto active = revocations_->access_token_active("s1", "jti", kT0 + hours(1));
  ASSERT_TRUE(active.ok());
  EXPECT_TRUE(*active);
  EXPECT_EQ(db().scalar("SELECT standing FROM grants WHERE id = 's1'"), "f");
}

TEST_F(TokenStorageTest, RevokedStandingGrantIsSucceeded) {
  NewGrant fresh{"s1", "app", std::nullopt, std::nullopt, {}, kT0, kT0 + kDay};
  ASSERT_TRUE(grants_->standing_grant("app", kT0 + hours(1), fresh).ok());
  auto revoked = grants_->revoke("s1", kT0);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(*revoked);
  auto twice = grants_->revoke("s1", kT0);
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(*twice);
  fresh.id = "s2";
  auto next = grants_->standing_grant("app", kT0 + hours(1), fresh);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, "s2");
}

TEST_F(TokenStorageTest, ConcurrentStandingGrantCreationAgreesOnOne) {
  std::latch start(4);
  std::array<std::string, 4> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      NewGrant fresh{
          "s" + std::to_string(i), "app", std::nullopt, std::nullopt, {}, kT0, kT0 + kDay};
      start.arrive_and_wait();
      auto g = grants_->standing_grant("app", kT0 + hours(1), fresh);
      ASSERT_TRUE(g.ok()) << g.error().message;
      ids[i] = g->id;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM grants"), "1");
}

TEST_F(TokenStorageTest, AccessTokenActiveUntilJtiOrGrantRevoked) {
  new_grant("g1");
  const auto now = kT0 + seconds(5);
  EXPECT_TRUE(*revocations_->access_token_active("g1", "j1", now));
  EXPECT_FALSE(*revocations_->access_token_active("nope", "j1", now));
  ASSERT_TRUE(revocations_->revoke_access_token("j1", now + seconds(600)).ok());
  ASSERT_TRUE(revocations_->revoke_access_token("j1", now + seconds(600)).ok());  // idempotent
  EXPECT_FALSE(*revocations_->access_token_active("g1", "j1", now));
  EXPECT_TRUE(*revocations_->access_token_active("g1", "j2", now));
  db().exec("UPDATE users SET disabled = true");
  EXPECT_FALSE(*revocations_->access_token_active("g1", "j2", now));
  db().exec("UPDATE users SET disabled = false");
  EXPECT_FALSE(*revocations_->access_token_active("g1", "j2", kT0 + kDay));  // grant expired
  ASSERT_TRUE(grants_->revoke("g1", now).ok());
  EXPECT_FALSE(*revocations_->access_token_active("g1", "j2", now));
}

TEST_F(TokenStorageTest, JanitorDeletesOnlyWhatIsDueInBatches) {
  // Live: g-live with its token. Due: an expired grant, a revoked grant, an expired
  // refresh token of a live grant, two expired jtis.
  const auto live = new_grant("g-live", kT0 + kDay);
  new_grant("g-expired", kT0 + hours(1));
  new_grant("g-revoked", kT0 + kDay);
  ASSERT_TRUE(grants_->revoke("g-revoked", kT0).ok());
  ASSERT_TRUE(
      grants_->create({"g-other", "app", user_id_, std::nullopt, {}, kT0, kT0 + kDay}).ok());
  ASSERT_TRUE(
      refresh_->insert({sha256(random_token()), "g-other", "app", {}, kT0, kT0 + hours(1)}).ok());
  ASSERT_TRUE(revocations_->revoke_access_token("old1", kT0 + hours(1)).ok());
  ASSERT_TRUE(revocations_->revoke_access_token("old2", kT0 + hours(1)).ok());
  ASSERT_TRUE(revocations_->revoke_access_token("fresh", kT0 + kDay).ok());
  db().exec(
      "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES"
      " ('user:old', 3, to_timestamp(1750000000) - interval '2 hours'),"
      " ('user:new', 3, to_timestamp(1750000000) + interval '110 minutes')");

  Janitor janitor(database(), JanitorOptions{1, 1000, seconds(3600)});  // batches of one row
  auto counts = janitor.run_once(kT0 + hours(2));
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_TRUE(counts->ran);
  // g-expired's token and g-other's expired token go as refresh tokens, before grants.
  EXPECT_EQ(counts->refresh_tokens, 2u);
  EXPECT_EQ(counts->revoked_access_tokens, 2u);
  EXPECT_EQ(counts->grants, 2u);
  EXPECT_EQ(counts->login_throttle, 1u);
  EXPECT_EQ(db().scalar("SELECT string_agg(id, ',' ORDER BY id) FROM grants"), "g-live,g-other");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM refresh_tokens"), "1");
  EXPECT_EQ(db().scalar("SELECT jti FROM revoked_access_tokens"), "fresh");
  EXPECT_EQ(db().scalar("SELECT key FROM login_throttle"), "user:new");
  auto token = refresh_->find_active(live, kT0 + hours(2));
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(token->has_value());
  // Nothing left: a second run deletes nothing.
  auto again = janitor.run_once(kT0 + hours(2));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->total(), 0u);
}

TEST_F(TokenStorageTest, JanitorSkipsWhileAnotherInstanceHoldsTheLock) {
  ASSERT_TRUE(revocations_->revoke_access_token("old", kT0).ok());
  // Another instance's janitor: a session that holds the lock for two seconds.
  std::thread holder([&] {
    (void)db().query("SELECT pg_advisory_lock(x'6b6579776172644a'::bigint), pg_sleep(2)");
  });
  // Advisory locks are per database; wait until this database shows it held.
  const std::string held =
      "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
      " WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.granted"
      " AND l.classid = x'6b657977'::int::oid AND l.objid = x'6172644a'::int::oid";
  for (int i = 0; i < 200 && db().scalar(held) != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(db().scalar(held), "1");
  Janitor janitor(database());
  auto counts = janitor.run_once(kT0 + kDay);
  holder.join();
  ASSERT_TRUE(counts.ok());
  EXPECT_FALSE(counts->ran);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM revoked_access_tokens"), "1");
  // Once free, it runs.
  auto later = janitor.run_once(kT0 + kDay);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->ran);
  EXPECT_EQ(later->revoked_access_tokens, 1u);
}

}  // namespace
}  // namespace keyward::storage
