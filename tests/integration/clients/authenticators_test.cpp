// ClientAuthenticator, ClientCache and UserAuthenticator against a real PostgreSQL
// (RFC 6749 §2.3, §4.3.2, §5.2).
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "audit/event.h"
#include "common/crypto.h"
#include "grants/client_auth.h"
#include "grants/client_cache.h"
#include "grants/client_secret.h"
#include "grants/login_throttle.h"
#include "grants/password_hash.h"
#include "grants/user_authenticator.h"
#include "storage/client_repository.h"
#include "storage/listener.h"
#include "storage/throttle_repository.h"
#include "storage/user_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::grants {
namespace {

// These tests look at what the modules do, not at what they report.
audit::NullEventSink no_events;

using std::chrono::seconds;
using storage::ClientRecord;
using test::DatabaseTest;
using Method = ClientAuthInput::Method;

// Not timing goals: how long a NOTIFY may take before we call it lost.
constexpr auto kNotifyPatience = std::chrono::seconds(5);
// Cheap Argon2id parameters: these tests are about the logic, not the cost.
constexpr Argon2Params kWeak{1024, 1, 1};
constexpr Argon2Params kStronger{2048, 2, 1};
const TimePoint kT0 = TimePoint(seconds(1'800'000'000));

storage::Database open_database(const std::string& conninfo) {
  auto database = storage::Database::open(conninfo);
  if (!database) throw std::runtime_error(database.error());
  return std::move(database).value();
}

class AuthenticatorsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    database_.emplace(open_database(db().conninfo()));
    clients_.emplace(*database_);
    users_.emplace(*database_);
    throttle_store_.emplace(*database_);
  }

  // Registers a client the way `keyward client create` does; returns its secret.
  std::string add_client(const std::string& id, bool confidential,
                         const std::string& method = "client_secret_basic") {
    ClientRecord c;
    c.client_id = id;
    c.name = id;
    c.confidential = confidential;
    c.token_endpoint_auth_method = confidential ? method : "none";
    c.grant_types = confidential ? std::vector<std::string>{"client_credentials"}
                                 : std::vector<std::string>{"authorization_code"};
    if (!confidential) c.redirect_uris = {"https://app.example/cb"};
    c.scopes = {"read"};
    std::string secret;
    if (confidential) {
      auto generated = generate_client_secret(key_);
      secret = generated.secret;
      c.secret_hmac = generated.hmac;
    }
    auto inserted = clients_->insert(c);
    if (!inserted.ok()) throw std::runtime_error(inserted.error().message);
    return secret;
  }

  storage::UserRecord add_user(const std::string& username, const std::string& password,
                               Argon2Params params = kWeak) {
    storage::NewUser user;
    user.username = username;
    user.email = username + "@example.com";
    user.password_hash = hash_password(password, params);
    auto inserted = users_->insert(user);
    if (!inserted.ok()) throw std::runtime_error(inserted.error().message);
    return inserted.value();
  }

  const std::string key_ = client_secret_key(std::string(32, '\x07'));
  FixedClock clock_{kT0};
  std::optional<storage::Database> database_;
  std::optional<storage::ClientRepository> clients_;
  std::optional<storage::UserRepository> users_;
  std::optional<storage::ThrottleRepository> throttle_store_;
};

ClientAuthInput input(Method method, std::string id, std::optional<std::string> secret = {}) {
  return ClientAuthInput{method, std::move(id), std::move(secret)};
}

void expect_invalid_client(const OAuthResult<Client>& result, bool basic,
                           const std::string& description = "client authentication failed") {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidClient);
  EXPECT_EQ(result.error().http_status(), 401);
  EXPECT_EQ(result.error().description, description);
  EXPECT_EQ(result.error().basic_auth_used, basic);
}

// --- clients -------------------------------------------------------------------------

TEST_F(AuthenticatorsTest, Rfc6749_2_3_1_RightSecretWithTheRegisteredMethod) {
  const auto basic_secret = add_client("svc-basic", true, "client_secret_basic");
  const auto post_secret = add_client("svc-post", true, "client_secret_post");
  ClientCache cache(*clients_, clock_);
  ClientAuthenticator auth(cache, key_, no_events);

  auto basic = auth.authenticate(input(Method::Basic, "svc-basic", basic_secret));
  ASSERT_TRUE(basic.ok()) << basic.error().description;
  EXPECT_EQ(basic->id, "svc-basic");
  EXPECT_TRUE(basic->confidential);
  EXPECT_EQ(basic->grant_types, std::vector<std::string>{"client_credentials"});

  auto post = auth.authenticate(input(Method::Post, "svc-post", post_secret));
  ASSERT_TRUE(post.ok()) << post.error().description;
  EXPECT_EQ(post->id, "svc-post");
}

TEST_F(AuthenticatorsTest, WrongSecretAndUnknownClientGetTheSameAnswer) {
  const auto secret = add_client("svc", true);
  ClientCache cache(*clients_, clock_);
  ClientAuthenticator auth(cache, key_, no_events);

  expect_invalid_client(auth.authenticate(input(Method::Basic, "svc", secret + "x")), true);
  expect_invalid_client(auth.authenticate(input(Method::Basic, "svc", "")), true);
  expect_invalid_client(auth.authenticate(input(Method::Basic, "nobody", secret)), true);
  expect_invalid_client(auth.authenticate(input(Method::Post, "nobody", secret)), false);
  // Only the log tells them apart.
  EXPECT_EQ(auth.authenticate(input(Method::Basic, "svc", "nope")).error().log_detail,
            "wrong secret for client svc");
  EXPECT_EQ(auth.authenticate(input(Method::Basic, "nobody", "nope")).error().log_detail,
            "unknown client nobody");
}

TEST_F(AuthenticatorsTest, Rfc6749_2_3_ConfidentialClientMustAuthenticate) {
  add_client("svc", true);
  ClientCache cache(*clients_, clock_);
  ClientAuthenticator auth(cache, key_, no_events);
  expect_invalid_client(auth.authenticate(input(Method::None, "svc")), false);
  expect_invalid_client(auth.authenticate(input(Method::None, "")), false);
}

TEST_F(AuthenticatorsTest, PublicClientIdentifiesWithClientIdAlone) {
  add_client("app", false);
  ClientCache cache(*clients_, clock_);
  ClientAuthenticator auth(cache, key_, no_events);

  auto ok = auth.authenticate(input(Method::None, "app"));
  ASSERT_TRUE(ok.ok()) << ok.error().description;
  EXPECT_FALSE(ok->confidential);
  EXPECT_EQ(ok->token_endpoint_auth_method, "none");
  // A public client has no secret; presenting one is not a method it registered.
  expect_invalid_client(auth.authenticate(input(Method::Basic, "app", "")), true);
  expect_invalid_client(auth.authenticate(input(Method::Post, "app", "anything")), false);
  expect_invalid_client(auth.authenticate(input(Method::None, "nobody")), false);
}

TEST_F(AuthenticatorsTest, Rfc6749_2_3_WrongMethodWithTheRightSecret) {
  const auto basic_secret = add_client("svc-basic", true, "client_secret_basic");
  const auto post_secret = add_client("svc-post", true, "client_secret_post");
  ClientCache cache(*clients_, clock_);
  ClientAuthenticator auth(cache, key_, no_events);
  expect_invalid_client(auth.authenticate(input(Method::Post, "svc-basic", basic_secret)), false,
                        "client must authenticate with client_secret_basic");
  expect_invalid_client(auth.authenticate(input(Method::Basic, "svc-post", post_secret)), true,
                        "client must authenticate with client_secret_post");
}

TEST_F(AuthenticatorsTest, StorageDownIsTemporarilyUnavailable) {
  auto unreachable = storage::Database::open("host=127.0.0.1 port=1 dbname=x connect_timeout=2");
  ASSERT_TRUE(unreachable.ok());
  storage::ClientRepository repository(unreachable.value());
  ClientCache cache(repository, clock_);
  ClientAuthenticator auth(cache, key_, no_events);
  auto result = auth.authenticate(input(Method::Basic, "svc", "x"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::TemporarilyUnavailable);
  EXPECT_EQ(result.error().http_status(), 503);
  EXPECT_EQ(result.error().retry_after, seconds(1));
}

TEST_F(AuthenticatorsTest, CacheKeepsClientsUntilInvalidatedOrTtl) {
  const auto old_secret = add_client("svc", true);
  ClientCache cache(*clients_, clock_, seconds(60));
  ClientAuthenticator auth(cache, key_, no_events);
  ASSERT_TRUE(auth.authenticate(input(Method::Basic, "svc", old_secret)).ok());
  // Unknown ids are cached too: a client created later is found once invalidated.
  expect_invalid_client(auth.authenticate(input(Method::None, "late")), false);

  const auto rotated = generate_client_secret(key_);
  ASSERT_TRUE(clients_->update_secret("svc", rotated.hmac).value());
  add_client("late", false);
  // No NOTIFY: the cache still answers from memory...
  EXPECT_TRUE(auth.authenticate(input(Method::Basic, "svc", old_secret)).ok());
  expect_invalid_client(auth.authenticate(input(Method::None, "late")), false);
  // ...until the TTL backstop runs out.
  clock_.advance(seconds(61));
  expect_invalid_client(auth.authenticate(input(Method::Basic, "svc", old_secret)), true);
  EXPECT_TRUE(auth.authenticate(input(Method::Basic, "svc", rotated.secret)).ok());
  EXPECT_TRUE(auth.authenticate(input(Method::None, "late")).ok());

  ASSERT_TRUE(clients_->remove("late").value());
  EXPECT_TRUE(auth.authenticate(input(Method::None, "late")).ok());
  cache.invalidate("late");
  expect_invalid_client(auth.authenticate(input(Method::None, "late")), false);

  ASSERT_TRUE(clients_->remove("svc").value());
  cache.invalidate_all();
  expect_invalid_client(auth.authenticate(input(Method::Basic, "svc", rotated.secret)), true);
}

// Two instances on one database: a change announced with NOTIFY keyward_clients (as
// `keyward client` does) reaches both caches.
TEST_F(AuthenticatorsTest, NotifyInvalidatesEveryInstancesCache) {
  const auto old_secret = add_client("svc", true);
  struct Instance {
    storage::Database database;
    storage::ClientRepository repository;
    ClientCache cache;
    ClientAuthenticator auth;
    std::unique_ptr<storage::Listener> listener;
    Instance(const std::string& conninfo, const Clock& clock, const std::string& key)
        : database(open_database(conninfo)),
          repository(database),
          cache(repository, clock, seconds(3600)),
          auth(cache, key, no_events) {}
  };
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 2; ++i) {
    auto instance = std::make_unique<Instance>(db().conninfo(), clock_, key_);
    ClientCache* cache = &instance->cache;
    auto listener = storage::Listener::start(
        db().conninfo(), {std::string(kClientsChannel)},
        [cache](const std::string&, const std::string& id) { cache->invalidate(id); },
        [cache] { cache->invalidate_all(); });
    ASSERT_TRUE(listener.ok()) << listener.error();
    ASSERT_TRUE(listener.value()->wait_until_listening(kNotifyPatience));
    instance->listener = std::move(listener).value();
    ASSERT_TRUE(instance->auth.authenticate(input(Method::Basic, "svc", old_secret)).ok());
    instances.push_back(std::move(instance));
  }

  const auto rotated = generate_client_secret(key_);
  ASSERT_TRUE(clients_->update_secret("svc", rotated.hmac).value());
  ASSERT_TRUE(database_->notify(kClientsChannel, "svc").ok());

  for (auto& instance : instances) {
    const auto deadline = std::chrono::steady_clock::now() + kNotifyPatience;
    bool switched = false;
    while (!switched && std::chrono::steady_clock::now() < deadline) {
      switched = instance->auth.authenticate(input(Method::Basic, "svc", rotated.secret)).ok();
      if (!switched) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(switched) << "the new secret was not accepted within 5 s";
    expect_invalid_client(instance->auth.authenticate(input(Method::Basic, "svc", old_secret)),
                          true);
  }
}

// --- users ---------------------------------------------------------------------------

class UserAuthenticatorTest : public AuthenticatorsTest {
 protected:
  void SetUp() override {
    AuthenticatorsTest::SetUp();
    if (IsSkipped()) return;
    throttle_.emplace(*throttle_store_, clock_);
  }
  UserAuthenticator authenticator(Argon2Params params = kWeak) {
    return UserAuthenticator(*users_, *throttle_, params, no_events);
  }
  void expect_invalid_credentials(const OAuthResult<User>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidGrant);
    EXPECT_EQ(result.error().http_status(), 400);
    EXPECT_EQ(result.error().description, "invalid username or password");
    EXPECT_FALSE(result.error().retry_after.has_value());
  }
  void expect_throttled(const OAuthResult<User>& result, long retry_after) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidGrant);
    EXPECT_EQ(result.error().description,
              "too many failed attempts, retry after " + std::to_string(retry_after) + " seconds");
    EXPECT_EQ(result.error().retry_after, seconds(retry_after));
  }
  int failures(const std::string& key) {
    auto rows = throttle_store_->find({key}).value();
    return rows.empty() ? 0 : rows[0].failures;
  }
  std::optional<LoginThrottle> throttle_;
};

TEST_F(UserAuthenticatorTest, Rfc6749_4_3_2_RightPasswordCaseInsensitiveUsername) {
  const auto alice = add_user("Alice", "correct horse");
  auto auth = authenticator();
  auto user = auth.authenticate("ALICE", "correct horse", "192.0.2.1");
  ASSERT_TRUE(user.ok()) << user.error().description;
  EXPECT_EQ(user->id, alice.id);
  EXPECT_EQ(user->username, "alice");
  EXPECT_EQ(user->email, "Alice@example.com");  // emails are kept as given
  EXPECT_FALSE(user->disabled);
}

TEST_F(UserAuthenticatorTest, WrongPasswordUnknownUserAndDisabledUserLookAlike) {
  add_user("alice", "correct horse");
  add_user("bob", "battery staple");
  ASSERT_TRUE(users_->set_disabled("bob", true, SystemClock().now()).value().has_value());
  auto auth = authenticator();
  expect_invalid_credentials(auth.authenticate("alice", "wrong", "192.0.2.1"));
  expect_invalid_credentials(auth.authenticate("nobody", "correct horse", "192.0.2.1"));
  expect_invalid_credentials(auth.authenticate("", "", "192.0.2.1"));
  // Disabled users get no tokens, even with the right password.
  expect_invalid_credentials(auth.authenticate("bob", "battery staple", "192.0.2.1"));
  EXPECT_EQ(auth.authenticate("bob", "battery staple", "").error().log_detail,
            "user bob is disabled");
}

TEST_F(UserAuthenticatorTest, RehashesOnLoginWhenParametersGrew) {
  const auto alice = add_user("alice", "correct horse", kWeak);
  ASSERT_NE(alice.password_hash->find("m=1024,t=1,p=1"), std::string::npos);

  // Same parameters: the hash is left alone.
  ASSERT_TRUE(authenticator(kWeak).authenticate("alice", "correct horse", "").ok());
  EXPECT_EQ(users_->find_by_username("alice").value()->password_hash, alice.password_hash);

  ASSERT_TRUE(authenticator(kStronger).authenticate("alice", "correct horse", "").ok());
  const auto rehashed = users_->find_by_username("alice").value()->password_hash.value_or("");
  EXPECT_NE(rehashed, alice.password_hash);
  EXPECT_NE(rehashed.find("m=2048,t=2,p=1"), std::string::npos) << rehashed;
  EXPECT_EQ(verify_password(rehashed, "correct horse", kStronger), PasswordCheck::Match);
  // And the new hash still signs in.
  EXPECT_TRUE(authenticator(kStronger).authenticate("alice", "correct horse", "").ok());
}

TEST_F(UserAuthenticatorTest, AUserWithoutAPasswordGetsTheWrongPasswordAnswer) {
  // Signed up through an upstream provider (migrations/0009): no Keyward password. Any
  // password, even the empty one, gets the answer a wrong password gets, and is counted.
  storage::NewUser carol;
  carol.username = "carol";
  ASSERT_TRUE(users_->insert(carol).ok());
  auto auth = authenticator();
  for (const char* guess : {"", "anything", "$argon2id$v=19$m=1024,t=1,p=1$"}) {
    const auto result = auth.authenticate("carol", guess, "192.0.2.7");
    expect_invalid_credentials(result);
    if (!result.ok()) {
      EXPECT_EQ(result.error().log_detail, "no password set for carol");
    }
  }
  EXPECT_EQ(db().scalar("SELECT failures FROM login_throttle WHERE key LIKE '%carol%'"), "3");
}

TEST_F(UserAuthenticatorTest, AccountThrottleGrowsAndSuccessClearsIt) {
  add_user("alice", "correct horse");
  auto auth = authenticator();
  // Four failures cost nothing but the failure.
  for (int i = 1; i <= 4; ++i) {
    expect_invalid_credentials(auth.authenticate("alice", "guess", "192.0.2." + std::to_string(i)));
  }
  // The fifth blocks the account for 1 s, from any address, even for the right password.
  expect_invalid_credentials(auth.authenticate("Alice", "guess", "192.0.2.5"));
  expect_throttled(auth.authenticate("alice", "correct horse", "198.51.100.1"), 1);
  EXPECT_EQ(failures("user:alice"), 5);  // refused attempts are not counted

  clock_.advance(seconds(1));
  expect_invalid_credentials(auth.authenticate("alice", "guess", "192.0.2.6"));
  expect_throttled(auth.authenticate("alice", "guess", "192.0.2.6"), 2);
  clock_.advance(seconds(2));
  expect_invalid_credentials(auth.authenticate("alice", "guess", "192.0.2.7"));
  expect_throttled(auth.authenticate("alice", "guess", "192.0.2.7"), 4);
  clock_.advance(seconds(3));
  expect_throttled(auth.authenticate("alice", "correct horse", "192.0.2.7"), 1);

  clock_.advance(seconds(1));
  auto ok = auth.authenticate("alice", "correct horse", "192.0.2.7");
  ASSERT_TRUE(ok.ok()) << ok.error().description;
  EXPECT_EQ(failures("user:alice"), 0);
  // The address keeps its count: one right password buys no new guesses elsewhere.
  EXPECT_EQ(failures("ip:192.0.2.7"), 1);
}

TEST_F(UserAuthenticatorTest, UnknownUsersAreThrottledTheSameWay) {
  auto auth = authenticator();
  for (int i = 0; i < 5; ++i) {
    expect_invalid_credentials(auth.authenticate("ghost", "guess", "192.0.2." + std::to_string(i)));
  }
  expect_throttled(auth.authenticate("GHOST", "guess", "192.0.2.99"), 1);
}

TEST_F(UserAuthenticatorTest, AddressThrottleSpansAccounts) {
  add_user("alice", "correct horse");
  auto auth = authenticator();
  // Twenty failures from one address, each on a different account.
  for (int i = 0; i < 20; ++i) {
    expect_invalid_credentials(
        auth.authenticate("user" + std::to_string(i), "guess", "203.0.113.9"));
  }
  expect_throttled(auth.authenticate("alice", "correct horse", "203.0.113.9"), 1);
  // Another address is not affected.
  EXPECT_TRUE(auth.authenticate("alice", "correct horse", "203.0.113.10").ok());
  clock_.advance(seconds(1));
  EXPECT_TRUE(auth.authenticate("alice", "correct horse", "203.0.113.9").ok());
}

// The attempt is counted (atomically, with the block check) before the password hash is
// computed: a burst of parallel guesses cannot all pass the check while the first hashes
// are still running. With a limit of 3, at most 3 of 16 simultaneous wrong passwords reach
// the hash; the others are throttled.
TEST_F(UserAuthenticatorTest, ParallelGuessesBeyondTheLimitNeverReachTheHash) {
  constexpr Argon2Params kSlow{19456, 2, 1};  // a real hash, so the burst overlaps it
  add_user("alice", "correct horse", kSlow);
  LoginThrottleOptions options;
  options.account.threshold = 3;
  LoginThrottle throttle(*throttle_store_, clock_, options);
  UserAuthenticator auth(*users_, throttle, kSlow, no_events);
  constexpr int kAttempts = 16;
  std::latch start(kAttempts);
  std::atomic<int> wrong{0};
  std::atomic<int> throttled{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      const auto r = auth.authenticate("alice", "guess", "192.0.2.50");
      if (r.ok()) {
        ++other;
      } else if (r.error().retry_after) {
        ++throttled;
      } else if (r.error().description == "invalid username or password") {
        ++wrong;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_LE(wrong.load(), 3) << throttled.load() << " throttled";
  EXPECT_GE(wrong.load(), 1);
  EXPECT_EQ(wrong.load() + throttled.load(), kAttempts);
  // Exactly the attempts that reached the hash were counted.
  EXPECT_EQ(failures("user:alice"), wrong.load());
}

// An IPv6 user is not one address but a /64 (the unit a network hands out): guesses from
// anywhere in it share one counter.
TEST_F(UserAuthenticatorTest, Ipv6AddressesOfOneSlash64ShareTheAddressCounter) {
  auto auth = authenticator();
  for (int i = 0; i < 20; ++i) {
    expect_invalid_credentials(auth.authenticate("user" + std::to_string(i), "guess",
                                                 "2001:db8:1:2::" + std::to_string(i + 1)));
  }
  add_user("alice", "correct horse");
  expect_throttled(auth.authenticate("alice", "correct horse", "2001:db8:1:2:ffff:ffff:ffff:ffff"),
                   1);
  // The next /64 is someone else.
  EXPECT_TRUE(auth.authenticate("alice", "correct horse", "2001:db8:1:3::1").ok());
}

TEST_F(UserAuthenticatorTest, FailuresAreForgottenAfterAnHour) {
  add_user("alice", "correct horse");
  auto auth = authenticator();
  for (int i = 0; i < 4; ++i) expect_invalid_credentials(auth.authenticate("alice", "guess", ""));
  clock_.advance(seconds(3601));
  // The count starts again from 1: this failure blocks nothing.
  expect_invalid_credentials(auth.authenticate("alice", "guess", ""));
  EXPECT_EQ(failures("user:alice"), 1);
  EXPECT_TRUE(auth.authenticate("alice", "correct horse", "").ok());
}

}  // namespace
}  // namespace keyward::grants
