// RegistrationTokenRepository and DynamicClientRepository (migration 0010) against a real,
// migrated PostgreSQL: uses counted atomically under concurrency, a spent token stores
// nothing, registration access tokens that rotate, the janitor's pruning.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "common/crypto.h"
#include "grants/dynamic_registration.h"
#include "grants/registration_tokens.h"
#include "storage/client_repository.h"
#include "storage/dynamic_client_repository.h"
#include "storage/janitor.h"
#include "storage/registration_token_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::storage {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;
using test::StorageTest;

const TimePoint kT0 = TimePoint(seconds(1'750'000'000)) + microseconds(654'321);

ClientRecord code_client(std::string id) {
  ClientRecord c;
  c.client_id = std::move(id);
  c.name = "Registered app";
  c.confidential = false;
  c.token_endpoint_auth_method = "none";
  c.grant_types = {"authorization_code"};
  c.scopes = {"openid"};
  c.redirect_uris = {"https://app.example/cb"};
  return c;
}

class RegistrationRepositoriesTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    tokens_.emplace(database());
    clients_.emplace(database());
    plain_clients_.emplace(database());
  }
  RegistrationTokenRepository& tokens() { return *tokens_; }
  DynamicClientRepository& clients() { return *clients_; }
  ClientRepository& plain_clients() { return *plain_clients_; }

  std::optional<RegistrationTokenRepository> tokens_;
  std::optional<DynamicClientRepository> clients_;
  std::optional<ClientRepository> plain_clients_;
};

TEST_F(RegistrationRepositoriesTest, TokensRoundTripWithoutTheirHash) {
  const std::string hash = sha256("token-a");
  auto stored = tokens().insert("tok-a", hash, kT0 + seconds(60), 3);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->id, "tok-a");
  EXPECT_EQ(stored->expires_at, kT0 + seconds(60));
  EXPECT_EQ(stored->max_uses, 3);
  EXPECT_EQ(stored->uses, 0);
  ASSERT_TRUE(tokens().insert("tok-b", sha256("token-b"), std::nullopt, std::nullopt).ok());
  auto listed = tokens().list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_FALSE(listed->at(1).expires_at.has_value());
  EXPECT_FALSE(listed->at(1).max_uses.has_value());
  // The same hash twice is refused.
  EXPECT_FALSE(tokens().insert("tok-c", hash, std::nullopt, std::nullopt).ok());
  EXPECT_FALSE(tokens().insert("tok-d", sha256("x"), std::nullopt, 0).ok());  // max_uses > 0
}

TEST_F(RegistrationRepositoriesTest, ConsumeStopsAtExpiryAndMaxUses) {
  const std::string hash = sha256("token");
  ASSERT_TRUE(tokens().insert("tok", hash, kT0 + seconds(60), 2).ok());
  EXPECT_TRUE(tokens().find_usable(hash, kT0).value().has_value());
  EXPECT_FALSE(tokens().find_usable(hash, kT0 + seconds(60)).value().has_value());  // expired
  EXPECT_FALSE(tokens().consume(hash, kT0 + seconds(61)).value().has_value());
  EXPECT_EQ(tokens().consume(hash, kT0).value()->uses, 1);
  EXPECT_EQ(tokens().consume(hash, kT0).value()->uses, 2);
  EXPECT_FALSE(tokens().consume(hash, kT0).value().has_value());  // used up
  EXPECT_FALSE(tokens().find_usable(hash, kT0).value().has_value());
  EXPECT_FALSE(tokens().consume(sha256("unknown"), kT0).value().has_value());
  EXPECT_TRUE(tokens().revoke("tok").value());
  EXPECT_FALSE(tokens().revoke("tok").value());
}

TEST_F(RegistrationRepositoriesTest, ConcurrentConsumersNeverPassMaxUses) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5;
  constexpr int kMaxUses = 13;
  const std::string hash = sha256("shared");
  ASSERT_TRUE(tokens().insert("shared", hash, std::nullopt, kMaxUses).ok());
  std::latch start(kThreads);
  std::atomic<int> granted{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int j = 0; j < kPerThread; ++j) {
        auto used = tokens().consume(hash, kT0);
        if (!used.ok()) {
          ++errors;
        } else if (used->has_value()) {
          ++granted;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(granted.load(), kMaxUses);
  EXPECT_EQ(tokens().list().value().at(0).uses, kMaxUses);
}

TEST_F(RegistrationRepositoriesTest, ConcurrentRegistrationsWithOneTokenStoreMaxUsesClients) {
  constexpr int kThreads = 8;
  const std::string hash = sha256("pipeline");
  ASSERT_TRUE(tokens().insert("pipeline", hash, std::nullopt, 3).ok());
  std::latch start(kThreads);
  std::atomic<int> registered{0}, refused{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto r = clients().insert(code_client("c" + std::to_string(i)), {},
                                sha256("rat" + std::to_string(i)), hash, kT0);
      if (!r.ok()) {
        ++errors;
      } else if (std::holds_alternative<DynamicClientRepository::Refused>(*r)) {
        ++refused;
      } else {
        ++registered;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(registered.load(), 3);
  EXPECT_EQ(refused.load(), kThreads - 3);
  EXPECT_EQ(plain_clients().list().value().size(), 3u);  // the refused ones stored nothing
}

TEST_F(RegistrationRepositoriesTest, RegistrationAccessTokenFindsReplacesAndRemoves) {
  RegistrationMetadata metadata;
  metadata.logo_uri = "https://app.example/logo.png";
  metadata.contacts = {"ops@app.example", "a,b\"c"};
  metadata.software_id = "app";
  auto inserted =
      clients().insert(code_client("dyn"), metadata, sha256("rat-1"), std::nullopt, kT0);
  ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  ASSERT_TRUE(std::holds_alternative<RegisteredClientRecord>(*inserted));
  EXPECT_EQ(std::get<RegisteredClientRecord>(*inserted).metadata, metadata);

  auto found = clients().find("dyn", sha256("rat-1"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->metadata, metadata);
  EXPECT_EQ((*found)->client.redirect_uris, std::vector<std::string>{"https://app.example/cb"});
  EXPECT_FALSE(clients().find("dyn", sha256("wrong")).value().has_value());
  EXPECT_FALSE(clients().find("nobody", sha256("rat-1")).value().has_value());

  ClientRecord changed = code_client("dyn");
  changed.name = "Renamed";
  changed.redirect_uris = {"https://app.example/cb2"};
  RegistrationMetadata fewer;
  fewer.client_uri = "https://app.example";
  EXPECT_FALSE(  // a wrong token changes nothing
      clients().replace("dyn", sha256("wrong"), changed, fewer, sha256("rat-2")).value());
  auto replaced = clients().replace("dyn", sha256("rat-1"), changed, fewer, sha256("rat-2"));
  ASSERT_TRUE(replaced.ok() && replaced->has_value());
  EXPECT_EQ((*replaced)->client.name, "Renamed");
  EXPECT_EQ((*replaced)->metadata, fewer);
  EXPECT_FALSE(clients().find("dyn", sha256("rat-1")).value().has_value());  // rotated
  EXPECT_TRUE(clients().find("dyn", sha256("rat-2")).value().has_value());
  // The second update with the old token, as a racing request would send it, fails.
  EXPECT_FALSE(clients().replace("dyn", sha256("rat-1"), changed, fewer, sha256("rat-3")).value());

  EXPECT_FALSE(clients().remove("dyn", sha256("rat-1")).value());
  EXPECT_TRUE(clients().remove("dyn", sha256("rat-2")).value());
  EXPECT_FALSE(plain_clients().find("dyn").value().has_value());
}

TEST_F(RegistrationRepositoriesTest, CliClientsAreOutOfReach) {
  ASSERT_TRUE(plain_clients().insert(code_client("cli")).ok());
  EXPECT_FALSE(clients().find("cli", sha256("")).value().has_value());
  EXPECT_FALSE(clients().remove("cli", sha256("")).value());
  EXPECT_TRUE(plain_clients().find("cli").value().has_value());
}

TEST_F(RegistrationRepositoriesTest, JanitorPrunesExpiredAndSpentTokens) {
  ASSERT_TRUE(tokens().insert("expired", sha256("1"), kT0 - seconds(1), std::nullopt).ok());
  ASSERT_TRUE(tokens().insert("spent", sha256("2"), std::nullopt, 1).ok());
  ASSERT_TRUE(tokens().consume(sha256("2"), kT0).value().has_value());
  ASSERT_TRUE(tokens().insert("live", sha256("3"), kT0 + seconds(60), 2).ok());
  ASSERT_TRUE(tokens().insert("forever", sha256("4"), std::nullopt, std::nullopt).ok());
  Janitor janitor(database());
  auto counts = janitor.run_once(kT0);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->registration_tokens, 2u);
  auto left = tokens().list().value();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, "live");
  EXPECT_EQ(left[1].id, "forever");
}

TEST_F(RegistrationRepositoriesTest, CreateRegistrationTokenStoresOnlyTheHash) {
  FixedClock clock(kT0);
  auto created = grants::create_registration_token(
      tokens(), clock, grants::RegistrationTokenLimits{seconds(600), 5});
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(created->token.size(), 43u);
  EXPECT_EQ(created->record.expires_at, kT0 + seconds(600));
  EXPECT_TRUE(tokens()
                  .find_usable(grants::registration_token_hash(created->token), kT0)
                  .value()
                  .has_value());
  EXPECT_FALSE(grants::create_registration_token(tokens(), clock,
                                                 grants::RegistrationTokenLimits{seconds(0), 5})
                   .ok());
  EXPECT_FALSE(grants::create_registration_token(tokens(), clock,
                                                 grants::RegistrationTokenLimits{std::nullopt, 0})
                   .ok());
}

}  // namespace
}  // namespace keyward::storage
