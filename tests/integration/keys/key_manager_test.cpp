// The KeyManager against a real PostgreSQL: one first key however many instances
// start at once, private keys never stored in clear, and rotation seen by a second instance
// (its own Database and Listener) within seconds, signing only after the publication delay,
// while the retired key keeps verifying its tokens until they expire.
#include "keys/key_manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <latch>
#include <thread>

#include "audit/event.h"
#include "common/aead.h"
#include "common/crypto.h"
#include "jose/verify.h"
#include "storage/key_repository.h"
#include "tests/integration/support/test_database.h"

namespace keyward::keys {
namespace {

// These tests look at what the modules do, not at what they report.
audit::NullEventSink no_events;

using std::chrono::milliseconds;
using std::chrono::seconds;
using storage::KeyRecord;
using storage::KeyState;
using test::DatabaseTest;

const std::string kMasterKey(32, '\x42');
const std::string kIssuer = "https://issuer.example";
constexpr jose::Alg kAllowed[] = {jose::Alg::RS256, jose::Alg::ES256, jose::Alg::EdDSA};

// A clock tests move by hand; atomic because the manager's thread reads it too.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint t) : micros_(to_micros(t)) {}
  [[nodiscard]] TimePoint now() const override {
    return TimePoint(std::chrono::microseconds(micros_.load()));
  }
  void set(TimePoint t) { micros_ = to_micros(t); }
  void advance(std::chrono::microseconds d) { micros_ += d.count(); }

 private:
  static long long to_micros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<long long> micros_;
};

const TimePoint kT0 = TimePoint(seconds(1'900'000'000));

std::string hex_decode(std::string_view hex) {
  // PostgreSQL's bytea text output: \x followed by hex digits.
  if (hex.starts_with("\\x")) hex.remove_prefix(2);
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string sign_access_token(const grants::SigningKey& key, TimePoint now, seconds ttl) {
  return key.access_token.sign({{"iss", kIssuer},
                                {"sub", "client-1"},
                                {"aud", "api"},
                                {"client_id", "client-1"},
                                {"jti", random_token(16)},
                                {"iat", unix_seconds(now)},
                                {"exp", unix_seconds(now + ttl)}});
}

jose::Status verify(const std::string& token, const jose::Jwks& jwks, TimePoint now) {
  jose::ClaimPolicy policy;
  policy.issuer = kIssuer;
  policy.audiences = {"api"};
  policy.typ = "at+jwt";
  auto r = jose::verify_jwt(token, jwks, kAllowed, policy, now);
  return r.ok() ? jose::Status::Ok : r.error();
}

bool publishes(const KeySnapshot& s, const std::string& kid) {
  for (const auto& k : s.published->keys()) {
    if (k.kid() == kid) return true;
  }
  return false;
}

class KeyManagerTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
  }

  // One "instance": its own Database (pool) and, once started, its own Listener.
  struct Instance {
    storage::Database database;
    std::unique_ptr<KeyManager> keys;
  };

  // `call` on both instances' KeyManagers at the same moment: two threads, released together.
  template <class Call>
  static std::pair<Result<Unit, std::string>, Result<Unit, std::string>> at_once(Instance& a,
                                                                                 Instance& b,
                                                                                 Call call) {
    std::latch go(2);
    std::optional<Result<Unit, std::string>> ra, rb;
    std::thread ta([&] {
      go.arrive_and_wait();
      ra.emplace(call(*a.keys));
    });
    std::thread tb([&] {
      go.arrive_and_wait();
      rb.emplace(call(*b.keys));
    });
    ta.join();
    tb.join();
    return {std::move(*ra), std::move(*rb)};
  }

  std::unique_ptr<Instance> instance(KeyManagerOptions options) {
    auto out = std::unique_ptr<Instance>(new Instance{db().open(), nullptr});
    if (options.master_key.empty()) options.master_key = kMasterKey;
    out->keys = std::make_unique<KeyManager>(out->database, db().conninfo(), std::move(options),
                                             logger_, no_events);
    return out;
  }

  std::vector<KeyRecord> rows() {
    auto database = db().open();
    storage::KeyRepository repository(database);
    auto listed = repository.list();
    if (!listed.ok()) throw std::runtime_error(listed.error().message);
    return listed.value();
  }

  Logger logger_{LogLevel::Warn};
};

TEST_F(KeyManagerTest, TwoInstancesStartingAtOnceCreateOneFirstKey) {
  auto a = instance({});
  auto b = instance({});
  const auto [ra, rb] = at_once(*a, *b, [](KeyManager& keys) { return keys.refresh(); });
  ASSERT_TRUE(ra.ok()) << ra.error();
  ASSERT_TRUE(rb.ok()) << rb.error();

  const auto keys = rows();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].state, KeyState::Active);
  EXPECT_EQ(keys[0].alg, "RS256");
  ASSERT_NE(a->keys->active(), nullptr);
  ASSERT_NE(b->keys->active(), nullptr);
  EXPECT_EQ(a->keys->active()->kid, keys[0].kid);
  EXPECT_EQ(b->keys->active()->kid, keys[0].kid);
  // The kid is the RFC 7638 thumbprint of the published key.
  EXPECT_EQ(a->keys->published()->keys().at(0).thumbprint(), keys[0].kid);
}

TEST_F(KeyManagerTest, TwoStartedInstancesCreateOneFirstKeyAndBecomeReady) {
  auto a = instance({});
  auto b = instance({});
  EXPECT_EQ(a->keys->not_ready_reason(), "signing keys not loaded");
  // start() waits for the first load attempt: start both at the same moment.
  const auto [ra, rb] = at_once(*a, *b, [](KeyManager& keys) { return keys.start(); });
  ASSERT_TRUE(ra.ok()) << ra.error();
  ASSERT_TRUE(rb.ok()) << rb.error();
  ASSERT_TRUE(a->keys->wait_until_loaded(seconds(15)));
  ASSERT_TRUE(b->keys->wait_until_loaded(seconds(15)));
  EXPECT_EQ(a->keys->not_ready_reason(), std::nullopt);
  EXPECT_EQ(rows().size(), 1u);
  EXPECT_EQ(a->keys->active()->kid, b->keys->active()->kid);
}

TEST_F(KeyManagerTest, StoredPrivateKeyIsSealedUnderTheMasterKeyAndBoundToItsKid) {
  auto a = instance({});
  ASSERT_TRUE(a->keys->refresh().ok());
  const auto kid = a->keys->active()->kid;

  // What anyone with SELECT on the table sees.
  const auto hex = db().scalar("SELECT private_key_sealed FROM signing_keys");
  ASSERT_TRUE(hex.has_value());
  const std::string sealed = hex_decode(*hex);
  ASSERT_GT(sealed.size(), aead::kOverhead);
  EXPECT_EQ(jose::PrivateKey::from_pkcs8_der(sealed).error(), jose::Status::KeyBadPkcs8);
  // Not the DER either after the nonce (a cipher that did nothing would leave it there).
  EXPECT_EQ(jose::PrivateKey::from_pkcs8_der(sealed.substr(aead::kNonceSize)).error(),
            jose::Status::KeyBadPkcs8);
  EXPECT_EQ(sealed.find("-----BEGIN"), std::string::npos);
  EXPECT_EQ(sealed.find("PRIVATE KEY"), std::string::npos);
  // The public JWK carries no private member (the table's CHECK refuses them too).
  const auto jwk = nlohmann::json::parse(*db().scalar("SELECT public_jwk::text FROM signing_keys"));
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    EXPECT_FALSE(jwk.contains(member)) << member;
  }

  auto record = rows().at(0);
  // The right master key opens it, and it is the key that signs.
  auto opened = open_private_key(key_encryption_key(kMasterKey), record);
  ASSERT_TRUE(opened.ok()) << opened.error();
  EXPECT_TRUE(opened->public_key().same_key(a->keys->active()->access_token.key().public_key()));
  // The clear DER appears nowhere in the stored bytes.
  const auto der = opened->to_pkcs8_der();
  EXPECT_EQ(sealed.find(der.substr(0, 64)), std::string::npos);

  // Another master key does not.
  const std::string other_master(32, '\x43');
  auto wrong = open_private_key(key_encryption_key(other_master), record);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().find("does not open with this KEYWARD_MASTER_KEY"), std::string::npos)
      << wrong.error();
  EXPECT_EQ(aead::open(key_encryption_key(other_master), sealed, kid), std::nullopt);
  // Nor does the master key itself: only the HKDF-derived key sealed it.
  EXPECT_EQ(aead::open(kMasterKey, sealed, kid), std::nullopt);
  // The ciphertext is bound to its kid: copied under another kid, it does not open.
  record.kid = "another-kid";
  EXPECT_FALSE(open_private_key(key_encryption_key(kMasterKey), record).ok());
}

TEST_F(KeyManagerTest, InstanceWithAnotherMasterKeyIsNotReady) {
  auto a = instance({});
  ASSERT_TRUE(a->keys->refresh().ok());
  KeyManagerOptions options;
  options.master_key = std::string(32, '\x43');
  auto b = instance(options);
  const auto r = b->keys->refresh();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("does not open with this KEYWARD_MASTER_KEY"), std::string::npos)
      << r.error();
  EXPECT_EQ(b->keys->active(), nullptr);
  EXPECT_EQ(b->keys->not_ready_reason(), "signing keys not loaded");
  // It did not "repair" the table with a key of its own.
  EXPECT_EQ(rows().size(), 1u);
}

TEST_F(KeyManagerTest, UnmigratedDatabaseIsNotReady) {
  db().exec("DROP TABLE signing_keys");
  auto a = instance({});
  const auto r = a->keys->refresh();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("signing_keys"), std::string::npos) << r.error();
  EXPECT_EQ(a->keys->not_ready_reason(), "signing keys not loaded");
}

// The scenario, in real time: A rotates; B (its own Database and Listener) publishes
// the new key within 5 s, keeps signing with the old one until activates_at, then signs with
// the new one; a token of the old key still verifies against B's keys.
TEST_F(KeyManagerTest, RotationOnOneInstanceIsPublishedByAnotherWithinFiveSeconds) {
  KeyManagerOptions options;
  options.publication_delay = seconds(2);
  options.keep_retired_for = seconds(600);
  auto a = instance(options);
  auto b = instance(options);
  ASSERT_TRUE(a->keys->start().ok());
  ASSERT_TRUE(b->keys->start().ok());
  ASSERT_TRUE(a->keys->wait_until_loaded(seconds(15)));
  ASSERT_TRUE(b->keys->wait_until_loaded(seconds(15)));
  const auto old_key = b->keys->active();
  const auto old_token = sign_access_token(*old_key, std::chrono::system_clock::now(), seconds(60));

  const auto t0 = std::chrono::steady_clock::now();
  auto rotated = a->keys->rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.error();
  ASSERT_TRUE(rotated->created);
  const auto new_kid = rotated->key.kid;
  const auto activates_at = rotated->key.activates_at;
  EXPECT_EQ(rotated->key.state, KeyState::Next);
  const auto rotate_returned = std::chrono::steady_clock::now();

  ASSERT_TRUE(
      b->keys->wait_for([&](const KeySnapshot& s) { return publishes(s, new_kid); }, seconds(5)))
      << "B did not publish the new key within 5 s";
  const auto seen = std::chrono::steady_clock::now() - t0;
  std::fprintf(
      stderr,
      "[ timing ] B published the new kid %.1f ms after rotate() began (key generation "
      "included), %.3f ms after it returned (NOTIFY sent)\n",
      std::chrono::duration<double, std::milli>(seen).count(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - rotate_returned)
          .count());
  // Published but not signing: the publication delay has not passed.
  {
    const auto s = b->keys->snapshot();
    if (std::chrono::system_clock::now() < activates_at) {
      EXPECT_EQ(s->active->kid, old_key->kid);
    }
    ASSERT_TRUE(publishes(*s, old_key->kid));
  }

  ASSERT_TRUE(b->keys->wait_for([&](const KeySnapshot& s) { return s.active->kid == new_kid; },
                                seconds(2 + 5)));
  const auto switched_at = std::chrono::system_clock::now();
  EXPECT_GE(switched_at, activates_at) << "signed with the new key before activates_at";
  std::fprintf(stderr, "[ timing ] B signs with the new kid %.1f ms after its activates_at\n",
               std::chrono::duration<double, std::milli>(switched_at - activates_at).count());

  const auto s = b->keys->snapshot();
  ASSERT_TRUE(publishes(*s, old_key->kid)) << "the retired key must stay published";
  EXPECT_EQ(verify(old_token, *s->published, std::chrono::system_clock::now()), jose::Status::Ok);
  const auto new_token =
      sign_access_token(*s->active, std::chrono::system_clock::now(), seconds(60));
  EXPECT_EQ(verify(new_token, *a->keys->snapshot()->published, std::chrono::system_clock::now()),
            jose::Status::Ok);

  // The database agrees: one active (the new one), the old one retired.
  for (const auto& k : rows()) {
    if (k.kid == new_kid) {
      EXPECT_EQ(k.state, KeyState::Active);
    }
    if (k.kid == old_key->kid) {
      EXPECT_EQ(k.state, KeyState::Retired);
      ASSERT_TRUE(k.delete_after.has_value());
      EXPECT_EQ(*k.delete_after - *k.retires_at, seconds(600));
    }
  }
}

// The same life cycle with a hand-moved clock, to the microsecond: no signing before
// activates_at, and the retired key published until every token it signed has expired.
TEST_F(KeyManagerTest, LifeCycleFollowsTheClockExactly) {
  auto clock = std::make_shared<ManualClock>(kT0);
  KeyManagerOptions options;
  options.clock = clock;
  options.publication_delay = seconds(3600);
  options.keep_retired_for = retired_key_lifetime(seconds(600), seconds(300));
  EXPECT_EQ(options.keep_retired_for, seconds(600) + kRetiredKeyLeeway);
  auto a = instance(options);
  auto b = instance(options);
  ASSERT_TRUE(a->keys->refresh().ok());
  ASSERT_TRUE(b->keys->refresh().ok());
  const auto old_key = a->keys->active();

  clock->advance(seconds(10));
  auto rotated = a->keys->rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.error();
  const auto new_kid = rotated->key.kid;
  EXPECT_EQ(rotated->key.activates_at, kT0 + seconds(10) + seconds(3600));
  ASSERT_TRUE(b->keys->refresh().ok());
  EXPECT_TRUE(publishes(*b->keys->snapshot(), new_kid));
  EXPECT_EQ(b->keys->active()->kid, old_key->kid);

  // A second rotation while one is pending creates nothing.
  auto again = a->keys->rotate();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->key.kid, new_kid);

  // One microsecond before activates_at: still the old key.
  clock->set(rotated->key.activates_at - std::chrono::microseconds(1));
  ASSERT_TRUE(b->keys->refresh().ok());
  EXPECT_EQ(b->keys->active()->kid, old_key->kid);
  const auto last_old_token = sign_access_token(*b->keys->active(), clock->now(), seconds(600));

  // At activates_at: the new key.
  clock->set(rotated->key.activates_at);
  ASSERT_TRUE(b->keys->refresh().ok());
  EXPECT_EQ(b->keys->active()->kid, new_kid);
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(a->keys->active()->kid, new_kid);
  const auto retires_at = rotated->key.activates_at;

  // The old key's last token verifies until it expires, against either instance's keys.
  // (NumericDate is whole seconds: that token's exp is retires_at - 1 s + 600 s.)
  clock->set(retires_at + seconds(598));
  ASSERT_TRUE(b->keys->refresh().ok());
  EXPECT_EQ(verify(last_old_token, *b->keys->published(), clock->now()), jose::Status::Ok);
  clock->set(retires_at + options.keep_retired_for - std::chrono::microseconds(1));
  ASSERT_TRUE(b->keys->refresh().ok());
  EXPECT_TRUE(publishes(*b->keys->snapshot(), old_key->kid));

  // Once no token it signed can be valid, it is deleted and unpublished.
  clock->set(retires_at + options.keep_retired_for);
  ASSERT_TRUE(b->keys->refresh().ok());
  EXPECT_FALSE(publishes(*b->keys->snapshot(), old_key->kid));
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_FALSE(publishes(*a->keys->snapshot(), old_key->kid));
  ASSERT_EQ(rows().size(), 1u);
  EXPECT_EQ(rows()[0].kid, new_kid);
}

TEST_F(KeyManagerTest, ScheduledRotationCreatesOneNextKeyAcrossInstances) {
  auto clock = std::make_shared<ManualClock>(kT0);
  KeyManagerOptions options;
  options.clock = clock;
  options.publication_delay = seconds(10);
  options.rotation_interval = seconds(100);
  auto a = instance(options);
  auto b = instance(options);
  ASSERT_TRUE(a->keys->refresh().ok());
  const auto first = a->keys->active()->kid;

  // The next key is due at activates_at + interval - delay, so it signs from + interval.
  clock->set(kT0 + seconds(90) - std::chrono::microseconds(1));
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(rows().size(), 1u);

  clock->set(kT0 + seconds(90));
  const auto [ra, rb] = at_once(*a, *b, [](KeyManager& keys) { return keys.refresh(); });
  ASSERT_TRUE(ra.ok()) << ra.error();
  ASSERT_TRUE(rb.ok()) << rb.error();
  const auto keys = rows();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1].state, KeyState::Next);
  EXPECT_EQ(keys[1].activates_at, kT0 + seconds(100));
  EXPECT_EQ(a->keys->active()->kid, first);

  clock->set(kT0 + seconds(100));
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(a->keys->active()->kid, keys[1].kid);
}

TEST_F(KeyManagerTest, RotationToAnotherAlgorithmRetiresThePreviousOne) {
  auto clock = std::make_shared<ManualClock>(kT0);
  KeyManagerOptions options;
  options.clock = clock;
  options.publication_delay = seconds(60);
  options.keep_retired_for = seconds(720);
  auto a = instance(options);
  std::vector<std::string> rendered;
  const auto doc = a->keys->add_document([&](const KeySetInfo& info) {
    std::string algs;
    for (const auto alg : info.signing_algs) algs += std::string(jose::alg_name(alg)) + " ";
    rendered.push_back(algs);
    return algs;
  });
  ASSERT_TRUE(a->keys->refresh().ok());
  const auto rsa = a->keys->active()->kid;
  EXPECT_EQ(a->keys->snapshot()->documents.at(doc), "RS256 ");

  auto rotated = a->keys->rotate(jose::Alg::ES256);
  ASSERT_TRUE(rotated.ok()) << rotated.error();
  EXPECT_EQ(rotated->key.alg, "ES256");
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(a->keys->snapshot()->documents.at(doc), "RS256 ES256 ");
  EXPECT_EQ(a->keys->active()->alg, jose::Alg::RS256);

  clock->advance(seconds(60));
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(a->keys->active()->alg, jose::Alg::ES256);
  EXPECT_EQ(a->keys->active()->kid, rotated->key.kid);
  EXPECT_EQ(a->keys->snapshot()->documents.at(doc), "ES256 ");
  for (const auto& k : rows()) {
    if (k.kid == rsa) {
      EXPECT_EQ(k.state, KeyState::Retired) << "one signing key at a time";
      EXPECT_EQ(k.delete_after, kT0 + seconds(60) + seconds(720));
    }
  }
  // Still published, for the tokens it signed.
  EXPECT_TRUE(publishes(*a->keys->snapshot(), rsa));

  // Documents are rendered once per change, not per refresh.
  const auto renders = rendered.size();
  ASSERT_TRUE(a->keys->refresh().ok());
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(rendered.size(), renders);
}

TEST_F(KeyManagerTest, JwksJsonHasOnlyPublicMembers) {
  auto a = instance({});
  ASSERT_TRUE(a->keys->refresh().ok());
  ASSERT_TRUE(a->keys->rotate(jose::Alg::ES256).ok());
  ASSERT_TRUE(a->keys->refresh().ok());
  const auto jwks = nlohmann::json::parse(a->keys->snapshot()->jwks_json);
  ASSERT_EQ(jwks["keys"].size(), 2u);
  for (const auto& k : jwks["keys"]) {
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      EXPECT_FALSE(k.contains(member)) << member;
    }
    EXPECT_EQ(k["use"], "sig");
    EXPECT_TRUE(k["kid"].is_string());
    EXPECT_TRUE(k["alg"] == "RS256" || k["alg"] == "ES256") << k.dump();
  }
  ASSERT_TRUE(a->keys->rotate(jose::Alg::EdDSA).ok());
  ASSERT_TRUE(a->keys->refresh().ok());
  const auto with_okp = nlohmann::json::parse(a->keys->snapshot()->jwks_json);
  ASSERT_EQ(with_okp["keys"].size(), 3u);
  for (const auto& k : with_okp["keys"]) {
    if (k["alg"] != "EdDSA") continue;
    EXPECT_EQ(k["kty"], "OKP");
    EXPECT_FALSE(k.contains("d")) << k.dump();
  }
}

// RFC 8037: an Ed25519 key generated, sealed like the others, published as an OKP JWK,
// and signing access tokens that the published key set verifies once it takes over.
TEST_F(KeyManagerTest, EdDsaKeyIsSealedPublishedAsOkpAndSignsAfterItsDelay) {
  auto clock = std::make_shared<ManualClock>(kT0);
  KeyManagerOptions options;
  options.clock = clock;
  options.publication_delay = seconds(60);
  auto a = instance(options);
  const auto doc = a->keys->add_document([](const KeySetInfo& info) {
    std::string algs;
    for (const auto alg : info.signing_algs) algs += std::string(jose::alg_name(alg)) + " ";
    return algs;
  });
  ASSERT_TRUE(a->keys->refresh().ok());
  auto rotated = a->keys->rotate(jose::Alg::EdDSA);
  ASSERT_TRUE(rotated.ok()) << rotated.error();
  EXPECT_EQ(rotated->key.alg, "EdDSA");
  ASSERT_TRUE(a->keys->refresh().ok());
  EXPECT_EQ(a->keys->snapshot()->documents.at(doc), "RS256 EdDSA ");

  // Stored sealed: the row opens with the master key to the key it publishes, and the
  // ciphertext is not the clear PKCS#8 (whose Ed25519 OID 1.3.101.112 is 06 03 2b 65 70).
  for (const auto& k : rows()) {
    if (k.kid != rotated->key.kid) continue;
    EXPECT_EQ(k.alg, "EdDSA");
    EXPECT_EQ(k.private_key_sealed.find(std::string("\x06\x03\x2b\x65\x70", 5)), std::string::npos);
    auto opened = open_private_key(key_encryption_key(kMasterKey), k);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->alg(), jose::Alg::EdDSA);
    EXPECT_FALSE(open_private_key(key_encryption_key(std::string(32, 'x')), k).ok());
  }

  const auto jwks = nlohmann::json::parse(a->keys->snapshot()->jwks_json);
  bool found = false;
  for (const auto& k : jwks["keys"]) {
    if (k["kid"] != rotated->key.kid) continue;
    found = true;
    EXPECT_EQ(k, (nlohmann::json{{"kty", "OKP"},
                                 {"crv", "Ed25519"},
                                 {"x", k["x"]},
                                 {"kid", rotated->key.kid},
                                 {"alg", "EdDSA"},
                                 {"use", "sig"}}));
  }
  EXPECT_TRUE(found) << jwks.dump();

  clock->advance(seconds(60));
  ASSERT_TRUE(a->keys->refresh().ok());
  ASSERT_EQ(a->keys->active()->alg, jose::Alg::EdDSA);
  EXPECT_EQ(a->keys->snapshot()->documents.at(doc), "EdDSA ");
  const std::string token = sign_access_token(*a->keys->active(), clock->now(), seconds(300));
  EXPECT_EQ(verify(token, *a->keys->snapshot()->published, clock->now()), jose::Status::Ok);
  // The signature is checked: one character of it changed, the token is refused.
  std::string forged = token;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_NE(verify(forged, *a->keys->snapshot()->published, clock->now()), jose::Status::Ok);
}

}  // namespace
}  // namespace keyward::keys
