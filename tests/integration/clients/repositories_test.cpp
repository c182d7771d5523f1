// ClientRepository, UserRepository and ThrottleRepository against a real,
// migrated PostgreSQL.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "common/crypto.h"
#include "storage/client_repository.h"
#include "storage/throttle_repository.h"
#include "storage/user_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
using test::StorageTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000)) + microseconds(654'321);
// A syntactically valid Argon2id PHC string (the table checks only the prefix).
constexpr const char* kHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA";

ClientRecord confidential_client(std::string id) {
  ClientRecord c;
  c.client_id = std::move(id);
  c.secret_hmac = random_bytes(31) + std::string(1, '\0');  // bytea round-trip, zero included
  c.name = "Billing service";
  c.confidential = true;
  c.token_endpoint_auth_method = "client_secret_basic";
  c.grant_types = {"client_credentials"};
  // Elements that need quoting in an array literal round-trip as plain text.
  c.scopes = {"read", "write:all", "NULL", "a\"b", "back\\slash", "{x,y}"};
  c.audiences = {"https://api.example.com"};
  c.may_introspect = true;
  return c;
}

ClientRecord public_client(std::string id) {
  ClientRecord c;
  c.client_id = std::move(id);
  c.name = "Mobile app";
  c.confidential = false;
  c.token_endpoint_auth_method = "none";
  c.grant_types = {"authorization_code", "refresh_token"};
  c.scopes = {"openid", "profile"};
  c.redirect_uris = {"com.example.app:/cb", "http://127.0.0.1/cb"};
  c.post_logout_redirect_uris = {"com.example.app:/bye"};
  return c;
}

class RepositoriesTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    clients_.emplace(database());
    users_.emplace(database());
    throttle_.emplace(database());
  }
  ClientRepository& clients() { return *clients_; }
  UserRepository& users() { return *users_; }
  ThrottleRepository& throttle() { return *throttle_; }

  UserRecord insert_user(std::string username) {
    NewUser user;
    user.username = std::move(username);
    user.password_hash = kHash;
    auto inserted = users().insert(user);
    if (!inserted.ok()) throw std::runtime_error(inserted.error().message);
    return inserted.value();
  }

  std::optional<ClientRepository> clients_;
  std::optional<UserRepository> users_;
  std::optional<ThrottleRepository> throttle_;
};

// --- clients -------------------------------------------------------------------------

TEST_F(RepositoriesTest, ClientInsertFindRoundTripsEveryField) {
  const auto confidential = confidential_client("svc-1");
  auto inserted = clients().insert(confidential);
  ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  EXPECT_GT(inserted->created_at, TimePoint{});

  auto found = clients().find("svc-1");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, inserted.value());
  ClientRecord expected = confidential;
  expected.created_at = inserted->created_at;
  expected.updated_at = inserted->updated_at;
  EXPECT_EQ(**found, expected);

  const auto pub = public_client("app-1");
  ASSERT_TRUE(clients().insert(pub).ok());
  auto found_public = clients().find("app-1");
  ASSERT_TRUE(found_public.ok() && found_public->has_value());
  EXPECT_FALSE((*found_public)->secret_hmac.has_value());
  EXPECT_EQ((*found_public)->redirect_uris, pub.redirect_uris);
  EXPECT_EQ((*found_public)->post_logout_redirect_uris, pub.post_logout_redirect_uris);
  EXPECT_TRUE((*found_public)->audiences.empty());
}

TEST_F(RepositoriesTest, TableRefusesIntrospectionForAPublicClient) {
  ClientRecord pub = public_client("app-2");
  pub.may_introspect = true;
  auto refused = clients().insert(pub);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, StorageErrorCode::CheckViolation);
  pub.may_introspect = false;
  ASSERT_TRUE(clients().insert(pub).ok());
  auto set = clients().set_may_introspect("app-2", true);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, StorageErrorCode::CheckViolation);

  ASSERT_TRUE(clients().insert(confidential_client("svc-2")).ok());
  EXPECT_TRUE(clients().set_may_introspect("svc-2", false).value());
  EXPECT_FALSE(clients().find("svc-2").value()->may_introspect);
  EXPECT_FALSE(clients().set_may_introspect("nobody", true).value());
}

// count_attempt: the block check and the count in one transaction (grants/login_throttle.h).
TEST_F(RepositoriesTest, ThrottleCountAttemptCountsUnlessBlockedAndUncounts) {
  using Key = ThrottleRepository::AttemptKey;
  auto keys = [&](std::optional<TimePoint> block) {
    return std::vector<Key>{
        Key{"user:zoe", kT0 - seconds(3600), [=](int) { return block; }},
        Key{"ip:192.0.2.9", kT0 - seconds(3600), [](int) { return std::optional<TimePoint>(); }}};
  };
  auto first = throttle().count_attempt(keys(std::nullopt), kT0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->counted);
  ASSERT_EQ(first->records.size(), 2u);
  auto second = throttle().count_attempt(keys(kT0 + seconds(10)), kT0 + seconds(1));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->counted);  // this attempt sets the block; it is itself allowed
  // Blocked: nothing counted on either key, and the blocking row is reported.
  auto third = throttle().count_attempt(keys(std::nullopt), kT0 + seconds(2));
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->counted);
  for (const auto& r : third->records) {
    EXPECT_EQ(r.failures, 2) << r.key;
    if (r.key == "user:zoe") {
      EXPECT_EQ(r.blocked_until, kT0 + seconds(10));
    }
  }
  ASSERT_TRUE(throttle().uncount("ip:192.0.2.9").ok());
  ASSERT_TRUE(throttle().uncount("ip:192.0.2.9").ok());
  ASSERT_TRUE(throttle().uncount("ip:192.0.2.9").ok());  // never below zero
  EXPECT_EQ(throttle().find({"ip:192.0.2.9"}).value().at(0).failures, 0);
}

TEST_F(RepositoriesTest, ClientFindUnknownIsNullopt) {
  auto found = clients().find("nobody");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(RepositoriesTest, ClientDuplicateIdIsUniqueViolation) {
  ASSERT_TRUE(clients().insert(confidential_client("dup")).ok());
  auto again = clients().insert(public_client("dup"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, StorageErrorCode::UniqueViolation);
  EXPECT_EQ(again.error().constraint, "clients_pkey");
}

TEST_F(RepositoriesTest, TableRefusesPublicClientWithClientCredentials) {
  auto c = public_client("bad");
  c.grant_types = {"client_credentials"};
  auto inserted = clients().insert(c);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.error().code, StorageErrorCode::CheckViolation);
  EXPECT_EQ(inserted.error().constraint, "clients_public_no_client_credentials");
}

// RFC 9700 §2.4 (migration 0006): whatever writes the table.
TEST_F(RepositoriesTest, TableRefusesPublicClientWithThePasswordGrant) {
  auto c = public_client("bad");
  c.grant_types = {"password", "refresh_token"};
  c.first_party = true;
  auto inserted = clients().insert(c);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.error().code, StorageErrorCode::CheckViolation);
  EXPECT_EQ(inserted.error().constraint, "clients_public_no_password");
}

TEST_F(RepositoriesTest, ClientSetFirstParty) {
  ASSERT_TRUE(clients().insert(confidential_client("svc")).ok());
  EXPECT_TRUE(clients().set_first_party("svc", true).value());
  EXPECT_TRUE(clients().find("svc").value()->first_party);
  EXPECT_TRUE(clients().set_first_party("svc", false).value());
  EXPECT_FALSE(clients().find("svc").value()->first_party);
  EXPECT_FALSE(clients().set_first_party("nobody", true).value());
}

TEST_F(RepositoriesTest, ClientListIsOldestFirst) {
  ASSERT_TRUE(clients().insert(confidential_client("b-first")).ok());
  ASSERT_TRUE(clients().insert(public_client("a-second")).ok());
  auto listed = clients().list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].client_id, "b-first");
  EXPECT_EQ((*listed)[1].client_id, "a-second");
}

TEST_F(RepositoriesTest, ClientUpdateSecretAndRemove) {
  ASSERT_TRUE(clients().insert(confidential_client("svc")).ok());
  const std::string fresh = random_bytes(32);
  auto updated = clients().update_secret("svc", fresh);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated.value());
  EXPECT_EQ(clients().find("svc").value().value().secret_hmac, fresh);

  auto missing = clients().update_secret("nobody", fresh);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value());

  // A public client has no secret: the table refuses one.
  ASSERT_TRUE(clients().insert(public_client("app")).ok());
  auto on_public = clients().update_secret("app", fresh);
  ASSERT_FALSE(on_public.ok());
  EXPECT_EQ(on_public.error().code, StorageErrorCode::CheckViolation);

  auto removed = clients().remove("svc");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed.value());
  EXPECT_FALSE(clients().find("svc").value().has_value());
  EXPECT_FALSE(clients().remove("svc").value());
}

// --- users ---------------------------------------------------------------------------

TEST_F(RepositoriesTest, UserInsertLowerCasesAndFindsCaseInsensitively) {
  NewUser user;
  user.username = "Alice.Smith";
  user.email = "alice@example.com";
  user.given_name = "Alice";
  user.password_hash = kHash;
  auto inserted = users().insert(user);
  ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  EXPECT_EQ(inserted->username, "alice.smith");
  EXPECT_EQ(inserted->email, "alice@example.com");
  EXPECT_EQ(inserted->given_name, "Alice");
  EXPECT_FALSE(inserted->family_name.has_value());
  EXPECT_FALSE(inserted->disabled);
  EXPECT_EQ(inserted->id.size(), 36u);

  auto by_name = users().find_by_username("ALICE.smith");
  ASSERT_TRUE(by_name.ok());
  ASSERT_TRUE(by_name->has_value());
  EXPECT_EQ(**by_name, inserted.value());

  auto by_id = users().find_by_id(inserted->id);
  ASSERT_TRUE(by_id.ok());
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ(**by_id, inserted.value());
}

TEST_F(RepositoriesTest, UserDuplicateInAnyCaseIsUniqueViolationOnUsername) {
  insert_user("bob");
  NewUser again;
  again.username = "BOB";
  again.password_hash = kHash;
  auto inserted = users().insert(again);
  ASSERT_FALSE(inserted.ok());
  EXPECT_EQ(inserted.error().code, StorageErrorCode::UniqueViolation);
  EXPECT_EQ(inserted.error().constraint, kUsernameTaken);
}

TEST_F(RepositoriesTest, UserUnknownOrMalformedIdIsNullopt) {
  EXPECT_FALSE(users().find_by_username("nobody").value().has_value());
  EXPECT_FALSE(users().find_by_id("00000000-0000-0000-0000-000000000000").value().has_value());
  auto malformed = users().find_by_id("not-a-uuid'; DROP TABLE users; --");
  ASSERT_TRUE(malformed.ok());
  EXPECT_FALSE(malformed->has_value());
}

TEST_F(RepositoriesTest, UserListDisableAndPasswordHash) {
  insert_user("zed");
  const auto amy = insert_user("amy");
  auto listed = users().list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].username, "amy");
  EXPECT_EQ((*listed)[1].username, "zed");

  EXPECT_TRUE(users().set_disabled("AMY", true, kT0).value().has_value());
  EXPECT_TRUE(users().find_by_username("amy").value()->disabled);
  EXPECT_FALSE(users().set_disabled("nobody", true, kT0).value().has_value());

  const std::string new_hash = "$argon2id$v=19$m=65536,t=3,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3";
  EXPECT_TRUE(users().set_password_hash("amy", new_hash, kT0).value().has_value());
  EXPECT_EQ(users().find_by_username("amy").value()->password_hash, new_hash);
  EXPECT_FALSE(users().set_password_hash("nobody", new_hash, kT0).value().has_value());

  // Not an Argon2id hash: the table refuses it.
  auto bad = users().set_password_hash("amy", "plaintext", kT0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, StorageErrorCode::CheckViolation);

  // Compare-and-set: only replaces what the caller read.
  EXPECT_FALSE(users().replace_password_hash(amy.id, kHash, kHash).value());
  EXPECT_TRUE(users().replace_password_hash(amy.id, new_hash, kHash).value());
  EXPECT_EQ(users().find_by_username("amy").value()->password_hash, kHash);
}

// --- login throttle ------------------------------------------------------------------

TEST_F(RepositoriesTest, ThrottleCountsBlocksAndClears) {
  const auto forget_before = kT0 - seconds(3600);
  auto first = throttle().record_failure("user:amy", kT0, forget_before,
                                         [](int) { return std::optional<TimePoint>(); });
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->failures, 1);
  EXPECT_EQ(first->last_failure_at, kT0);
  EXPECT_FALSE(first->blocked_until.has_value());

  auto second =
      throttle().record_failure("user:amy", kT0 + seconds(1), forget_before, [](int failures) {
        EXPECT_EQ(failures, 2);
        return std::optional(kT0 + seconds(100));
      });
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->failures, 2);
  EXPECT_EQ(second->blocked_until, kT0 + seconds(100));

  // A shorter block never shortens a longer one.
  auto third = throttle().record_failure("user:amy", kT0 + seconds(2), forget_before,
                                         [](int) { return std::optional(kT0 + seconds(50)); });
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->failures, 3);
  EXPECT_EQ(third->blocked_until, kT0 + seconds(100));

  auto found = throttle().find({"user:amy", "ip:192.0.2.1"});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0], third.value());

  ASSERT_TRUE(throttle().clear("user:amy").ok());
  EXPECT_TRUE(throttle().find({"user:amy"}).value().empty());
}

TEST_F(RepositoriesTest, ThrottleStartsAgainAfterForgetWindow) {
  auto no_block = [](int) { return std::optional<TimePoint>(); };
  ASSERT_TRUE(throttle()
                  .record_failure("ip:192.0.2.7", kT0, kT0 - seconds(3600),
                                  [&](int) { return std::optional(kT0 + seconds(10)); })
                  .ok());
  ASSERT_TRUE(throttle()
                  .record_failure("ip:192.0.2.7", kT0 + seconds(1), kT0 - seconds(3600), no_block)
                  .ok());
  // Two hours later, with a one-hour window: the old failures no longer count.
  const auto later = kT0 + seconds(7200);
  auto fresh = throttle().record_failure("ip:192.0.2.7", later, later - seconds(3600), no_block);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->failures, 1);
  EXPECT_FALSE(fresh->blocked_until.has_value());
}

TEST_F(RepositoriesTest, ThrottleConcurrentFailuresAllCount) {
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = throttle().record_failure("user:race", kT0, kT0 - seconds(3600),
                                         [](int) { return std::optional<TimePoint>(); });
      if (!r.ok()) ++errors;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(throttle().find({"user:race"}).value().at(0).failures, kThreads);
}

TEST_F(RepositoriesTest, ThrottlePruneDeletesOnlyStaleUnblockedRows) {
  auto no_block = [](int) { return std::optional<TimePoint>(); };
  const auto old = kT0 - seconds(7200);
  ASSERT_TRUE(throttle().record_failure("ip:old", old, old - seconds(3600), no_block).ok());
  ASSERT_TRUE(throttle().record_failure("ip:recent", kT0, kT0 - seconds(3600), no_block).ok());
  ASSERT_TRUE(throttle()
                  .record_failure("ip:old-but-blocked", old, old - seconds(3600),
                                  [&](int) { return std::optional(kT0 + seconds(60)); })
                  .ok());
  auto pruned = throttle().prune(kT0, kT0 - seconds(3600), 100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned.value(), 1u);
  EXPECT_EQ(throttle().find({"ip:old", "ip:recent", "ip:old-but-blocked"}).value().size(), 2u);
}

}  // namespace
}  // namespace keyward::storage
