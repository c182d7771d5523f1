// KeyRepository (DESIGN.md "Keys"): next -> active -> retired -> deleted, and
// never two active keys per algorithm, however many instances rotate at once.
#include "storage/key_repository.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <thread>

#include "common/crypto.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
using test::StorageTest;

// An arbitrary instant with a sub-second part, to prove times round-trip exactly.
const TimePoint kT0 = TimePoint(seconds(1'750'000'000)) + microseconds(123'456);
constexpr seconds kKeepRetired{3600};
constexpr auto kPatience = std::chrono::seconds(15);

KeyRecord make_key(std::string kid, KeyState state, TimePoint activates_at,
                   std::string alg = "RS256") {
  KeyRecord key;
  key.kid = std::move(kid);
  key.alg = std::move(alg);
  key.state = state;
  key.public_jwk =
      R"({"e": "AQAB", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "kty": "RSA"})";
  // Bytes of every value, zeros included, to prove bytea round-trips.
  key.private_key_sealed = random_bytes(64) + std::string(4, '\0');
  key.created_at = kT0;
  key.activates_at = activates_at;
  if (state == KeyState::Retired) {
    key.retires_at = activates_at + seconds(10);
    key.delete_after = activates_at + seconds(20);
  }
  return key;
}

class KeyRepositoryTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    keys_.emplace(database());
  }
  Database open() { return db().open(); }
  KeyRepository& keys() { return *keys_; }

  std::vector<KeyRecord> listed() {
    auto all = keys().list();
    if (!all) throw std::runtime_error(all.error().message);
    return std::move(all).value();
  }
  std::vector<std::string> kids_in(KeyState state) {
    std::vector<std::string> kids;
    for (const auto& key : listed()) {
      if (key.state == state) kids.push_back(key.kid);
    }
    std::sort(kids.begin(), kids.end());
    return kids;
  }
  void insert(const KeyRecord& key) {
    const auto inserted = keys().insert(key);
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  }

 private:
  std::optional<KeyRepository> keys_;
};

TEST_F(KeyRepositoryTest, InsertAndListRoundTripEveryField) {
  const KeyRecord next = make_key("kid-next", KeyState::Next, kT0 + seconds(60));
  const KeyRecord retired = make_key("kid-retired", KeyState::Retired, kT0 - seconds(600));
  insert(next);
  insert(retired);
  const auto all = listed();
  ASSERT_EQ(all.size(), 2u);
  // Same created_at: ordered by kid.
  EXPECT_EQ(all[0], next);
  EXPECT_EQ(all[1], retired);
}

TEST_F(KeyRepositoryTest, DuplicateKidIsAUniqueViolation) {
  insert(make_key("kid-1", KeyState::Next, kT0));
  const auto again = keys().insert(make_key("kid-1", KeyState::Next, kT0));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, StorageErrorCode::UniqueViolation);
  EXPECT_EQ(again.error().constraint, "signing_keys_pkey");
}

TEST_F(KeyRepositoryTest, SecondActiveKeyOfAnAlgorithmIsAUniqueViolation) {
  insert(make_key("kid-1", KeyState::Active, kT0));
  const auto second = keys().insert(make_key("kid-2", KeyState::Active, kT0));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, StorageErrorCode::UniqueViolation);
  EXPECT_EQ(second.error().constraint, "signing_keys_one_active_per_alg");
  // Another algorithm has its own active key.
  insert(make_key("kid-es", KeyState::Active, kT0, "ES256"));
}

TEST_F(KeyRepositoryTest, PrivateMembersInThePublicJwkAreRefused) {
  KeyRecord key = make_key("kid-1", KeyState::Next, kT0);
  key.public_jwk = R"({"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "secret"})";
  const auto inserted = keys().insert(key);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.error().code, StorageErrorCode::CheckViolation);
  EXPECT_EQ(inserted.error().constraint, "signing_keys_public_jwk_is_public");
}

TEST_F(KeyRepositoryTest, RetiredKeyWithoutItsTimesIsRefused) {
  KeyRecord key = make_key("kid-1", KeyState::Retired, kT0);
  key.delete_after.reset();
  const auto inserted = keys().insert(key);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.error().code, StorageErrorCode::CheckViolation);
  EXPECT_EQ(inserted.error().constraint, "signing_keys_retired_has_times");
}

TEST_F(KeyRepositoryTest, NextKeyWaitsForItsActivationTime) {
  insert(make_key("kid-a", KeyState::Active, kT0));
  insert(make_key("kid-b", KeyState::Next, kT0 + seconds(60)));
  const auto changes = keys().promote_due(kT0 + seconds(60) - microseconds(1), kKeepRetired);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  EXPECT_TRUE(changes->empty());
  EXPECT_EQ(kids_in(KeyState::Active), std::vector<std::string>{"kid-a"});
  EXPECT_EQ(kids_in(KeyState::Next), std::vector<std::string>{"kid-b"});
}

TEST_F(KeyRepositoryTest, DueNextKeyBecomesActiveAndTheActiveOneRetires) {
  insert(make_key("kid-a", KeyState::Active, kT0));
  insert(make_key("kid-b", KeyState::Next, kT0 + seconds(60)));
  const TimePoint now = kT0 + seconds(60);

  const auto changes = keys().promote_due(now, kKeepRetired);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  EXPECT_EQ(changes->activated, std::vector<std::string>{"kid-b"});
  EXPECT_EQ(changes->retired, std::vector<std::string>{"kid-a"});

  const auto all = listed();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kid, "kid-a");
  EXPECT_EQ(all[0].state, KeyState::Retired);
  EXPECT_EQ(all[0].retires_at, now);
  EXPECT_EQ(all[0].delete_after, now + kKeepRetired);
  EXPECT_EQ(all[1].kid, "kid-b");
  EXPECT_EQ(all[1].state, KeyState::Active);
  EXPECT_EQ(all[1].retires_at, std::nullopt);

  // Idempotent: nothing more is due.
  const auto again = keys().promote_due(now + seconds(1), kKeepRetired);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(KeyRepositoryTest, FirstNextKeyBecomesActiveWithNothingToRetire) {
  insert(make_key("kid-b", KeyState::Next, kT0));
  const auto changes = keys().promote_due(kT0, kKeepRetired);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  EXPECT_EQ(changes->activated, std::vector<std::string>{"kid-b"});
  EXPECT_TRUE(changes->retired.empty());
}

TEST_F(KeyRepositoryTest, NewestDueNextKeyWinsAndOlderDueOnesRetire) {
  insert(make_key("kid-a", KeyState::Active, kT0));
  insert(make_key("kid-b", KeyState::Next, kT0 + seconds(10)));
  insert(make_key("kid-c", KeyState::Next, kT0 + seconds(20)));
  insert(make_key("kid-d", KeyState::Next, kT0 + seconds(99)));  // not yet due
  insert(make_key("kid-es", KeyState::Active, kT0, "ES256"));    // another algorithm

  const auto changes = keys().promote_due(kT0 + seconds(30), kKeepRetired);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  EXPECT_EQ(changes->activated, std::vector<std::string>{"kid-c"});
  auto retired = changes->retired;
  std::sort(retired.begin(), retired.end());
  EXPECT_EQ(retired, (std::vector<std::string>{"kid-a", "kid-b"}));
  EXPECT_EQ(kids_in(KeyState::Active), (std::vector<std::string>{"kid-c", "kid-es"}));
  EXPECT_EQ(kids_in(KeyState::Next), std::vector<std::string>{"kid-d"});
}

// Several instances run the rotation schedule at the same moment: exactly one promotion
// happens and there is exactly one active key, every round.
TEST_F(KeyRepositoryTest, ConcurrentPromotionsLeaveExactlyOneActiveKey) {
  Database other_instance = open();
  KeyRepository other_keys(other_instance);
  insert(make_key("kid-0", KeyState::Active, kT0));
  for (int round = 1; round <= 10; ++round) {
    const std::string kid = "kid-" + std::to_string(round);
    const TimePoint now = kT0 + seconds(60 * round);
    insert(make_key(kid, KeyState::Next, now));

    std::latch start(2);
    std::optional<Result<KeyChanges, StorageError>> mine, theirs;
    std::thread a([&] {
      start.arrive_and_wait();
      mine.emplace(keys().promote_due(now, kKeepRetired));
    });
    std::thread b([&] {
      start.arrive_and_wait();
      theirs.emplace(other_keys.promote_due(now, kKeepRetired));
    });
    a.join();
    b.join();
    ASSERT_TRUE(mine->ok()) << mine->error().message;
    ASSERT_TRUE(theirs->ok()) << theirs->error().message;
    // One of them promoted, the other found nothing due.
    const auto& winner = mine->value().empty() ? theirs->value() : mine->value();
    const auto& loser = mine->value().empty() ? mine->value() : theirs->value();
    EXPECT_EQ(winner.activated, std::vector<std::string>{kid}) << "round " << round;
    EXPECT_EQ(winner.retired, std::vector<std::string>{"kid-" + std::to_string(round - 1)});
    EXPECT_TRUE(loser.empty()) << "round " << round;
    EXPECT_EQ(kids_in(KeyState::Active), std::vector<std::string>{kid}) << "round " << round;
  }
}

// Several instances start on an empty table at once: one first key, not one each.
TEST_F(KeyRepositoryTest, InsertExclusiveCreatesOneFirstKeyUnderARace) {
  Database other_instance = open();
  KeyRepository other_keys(other_instance);
  std::latch start(2);
  std::optional<Result<bool, StorageError>> mine, theirs;
  std::thread a([&] {
    start.arrive_and_wait();
    mine.emplace(keys().insert_exclusive(make_key("kid-mine", KeyState::Active, kT0)));
  });
  std::thread b([&] {
    start.arrive_and_wait();
    theirs.emplace(other_keys.insert_exclusive(make_key("kid-theirs", KeyState::Active, kT0)));
  });
  a.join();
  b.join();
  ASSERT_TRUE(mine->ok()) << mine->error().message;
  ASSERT_TRUE(theirs->ok()) << theirs->error().message;
  EXPECT_NE(mine->value(), theirs->value());  // exactly one inserted
  EXPECT_EQ(kids_in(KeyState::Active).size(), 1u);
  EXPECT_EQ(listed().size(), 1u);
}

TEST_F(KeyRepositoryTest, InsertExclusiveRefusesASecondPendingNextKey) {
  insert(make_key("kid-a", KeyState::Active, kT0));
  const auto first = keys().insert_exclusive(make_key("kid-b", KeyState::Next, kT0 + seconds(60)));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first.value());
  const auto second = keys().insert_exclusive(make_key("kid-c", KeyState::Next, kT0 + seconds(60)));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second.value());
  // Another algorithm has its own slot.
  const auto es = keys().insert_exclusive(make_key("kid-es", KeyState::Next, kT0, "ES256"));
  ASSERT_TRUE(es.ok());
  EXPECT_TRUE(es.value());
  EXPECT_EQ(kids_in(KeyState::Next), (std::vector<std::string>{"kid-b", "kid-es"}));
}

TEST_F(KeyRepositoryTest, DeleteExpiredRemovesOnlyRetiredKeysPastDeleteAfter) {
  insert(make_key("kid-old", KeyState::Retired, kT0));                   // delete_after kT0 + 20 s
  insert(make_key("kid-newer", KeyState::Retired, kT0 + seconds(100)));  // kT0 + 120 s
  insert(make_key("kid-active", KeyState::Active, kT0));
  insert(make_key("kid-next", KeyState::Next, kT0 + seconds(10)));

  const auto nothing = keys().delete_expired(kT0 + seconds(20) - microseconds(1));
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing.value(), 0u);

  const auto one = keys().delete_expired(kT0 + seconds(20));
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one.value(), 1u);
  EXPECT_EQ(kids_in(KeyState::Retired), std::vector<std::string>{"kid-newer"});

  // Far in the future, only retired keys go; active and next stay whatever their times.
  const auto rest = keys().delete_expired(kT0 + seconds(1'000'000));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest.value(), 1u);
  EXPECT_EQ(kids_in(KeyState::Retired), std::vector<std::string>{});
  EXPECT_EQ(kids_in(KeyState::Active), std::vector<std::string>{"kid-active"});
  EXPECT_EQ(kids_in(KeyState::Next), std::vector<std::string>{"kid-next"});
}

TEST_F(KeyRepositoryTest, WaitingForTheKeysLockBeyondStatementTimeoutIsATimeout) {
  auto database = Database::open(
      db().conninfo(), DatabaseOptions{.statement_timeout = std::chrono::milliseconds(300)});
  ASSERT_TRUE(database.ok());
  KeyRepository impatient(database.value());
  // Another session holds the keys' advisory lock ("keywardK", as key_repository.cpp) for
  // a while.
  std::thread holder([&] {
    db().exec("SELECT pg_advisory_lock(" + std::to_string(0x6b6579776172644bLL) + "), pg_sleep(3)");
  });
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  // pg_locks is cluster-wide: count only this database's advisory locks.
  while (db().scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                     " AND database = (SELECT oid FROM pg_database"
                     " WHERE datname = current_database())") == "0" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto changes = impatient.promote_due(kT0, kKeepRetired);
  holder.join();
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.error().code, StorageErrorCode::Timeout) << changes.error().message;
}

}  // namespace
}  // namespace keyward::storage
