// JwksCache against a real local HTTP server (IssuerStub) through CurlFetcher, with an injected
// clock: discovery, Cache-Control within bounds, the unknown-kid refetch and its rate limit,
// retries, and stale-if-error.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "resource_server/jwks_cache.h"
#include "tests/unit/resource_server/issuer_stub.h"
#include "tests/unit/resource_server/test_keys.h"

namespace keyward::test {
namespace {

using namespace std::chrono_literals;
using rs::JwksCache;
using rs::JwksCacheOptions;

class JwksCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_a_ = new TestKey(make_key("kid-a"));
    key_b_ = new TestKey(make_key("kid-b"));
  }
  static void TearDownTestSuite() {
    delete key_a_;
    delete key_b_;
  }

  JwksCacheOptions options() const {
    JwksCacheOptions o;
    o.issuer = stub_.issuer();
    o.default_ttl = 300s;
    o.min_ttl = 30s;
    o.max_ttl = 3600s;
    o.refetch_interval = 30s;
    o.retry_interval = 5s;
    o.stale_if_error = 600s;
    return o;
  }

  std::unique_ptr<JwksCache> cache(JwksCacheOptions o) {
    return std::make_unique<JwksCache>(fetcher_, clock_, std::move(o),
                                       [this](const rs::JwksEvent& e) { events_.push_back(e); });
  }

  IssuerStub stub_;
  rs::CurlFetcher fetcher_;
  FixedClock clock_{TimePoint{} + std::chrono::seconds(1'800'000'000)};
  std::vector<rs::JwksEvent> events_;
  static TestKey* key_a_;
  static TestKey* key_b_;
};
TestKey* JwksCacheTest::key_a_ = nullptr;
TestKey* JwksCacheTest::key_b_ = nullptr;

TEST_F(JwksCacheTest, OidcDiscovery4_FindsJwksUriThenServesFromCache) {
  stub_.set_jwks(jwks_json({key_a_}), "public, max-age=300");
  auto c = cache(options());
  auto keys = c->get();
  ASSERT_TRUE(keys.ok()) << keys.error();
  EXPECT_NE((*keys)->find("kid-a", jose::Alg::RS256), nullptr);
  EXPECT_EQ(stub_.discovery_hits, 1);
  EXPECT_EQ(stub_.jwks_hits, 1);
  clock_.advance(299s);
  ASSERT_TRUE(c->get().ok());
  EXPECT_EQ(stub_.jwks_hits, 1);
  EXPECT_EQ(c->fetch_count(), 1u);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].kind, rs::JwksEvent::Kind::Fetched);
  EXPECT_EQ(events_[0].reason, rs::JwksFetchReason::Expired);  // there was no set yet
  EXPECT_EQ(events_[0].keys, 1u);
  EXPECT_EQ(events_[0].ttl, 300s);
}

TEST_F(JwksCacheTest, Rfc9111_MaxAgeDecidesWhenToRefetch) {
  stub_.set_jwks(jwks_json({key_a_}), "public, max-age=120");
  auto c = cache(options());
  ASSERT_TRUE(c->get().ok());
  clock_.advance(119s);
  ASSERT_TRUE(c->get().ok());
  EXPECT_EQ(stub_.jwks_hits, 1);
  clock_.advance(1s);
  ASSERT_TRUE(c->get().ok());
  EXPECT_EQ(stub_.jwks_hits, 2);
  // Discovery is not repeated for a refresh.
  EXPECT_EQ(stub_.discovery_hits, 1);
}

TEST_F(JwksCacheTest, MaxAgeIsClampedToTheConfiguredBounds) {
  struct Row {
    std::string cache_control;
    std::chrono::seconds ttl;
  };
  for (const Row& row : {Row{"max-age=1", 30s}, Row{"max-age=999999", 3600s}, Row{"no-store", 30s},
                         Row{"no-cache, max-age=600", 30s}, Row{"", 300s}, Row{"max-age=abc", 300s},
                         Row{"MAX-AGE=45", 45s}}) {
    stub_.set_jwks(jwks_json({key_a_}), row.cache_control);
    events_.clear();
    auto c = cache(options());
    ASSERT_TRUE(c->get().ok());
    ASSERT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_[0].ttl, row.ttl) << "Cache-Control: " << row.cache_control;
  }
}

TEST_F(JwksCacheTest, OidcDiscovery4_3_ForeignIssuerIsRefused) {
  stub_.set_discovery({{"issuer", "https://evil.example"}, {"jwks_uri", stub_.jwks_uri()}});
  stub_.set_jwks(jwks_json({key_a_}));
  auto c = cache(options());
  auto keys = c->get();
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.error().find("does not name the issuer " + stub_.issuer()), std::string::npos)
      << keys.error();
  EXPECT_EQ(stub_.jwks_hits, 0);
  EXPECT_EQ(c->failure_count(), 1u);
}

TEST_F(JwksCacheTest, DiscoveryWithoutJwksUriIsRefused) {
  stub_.set_discovery({{"issuer", stub_.issuer()}});
  auto c = cache(options());
  auto keys = c->get();
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.error().find("has no http(s) jwks_uri"), std::string::npos) << keys.error();
}

TEST_F(JwksCacheTest, ConfiguredJwksUriSkipsDiscovery) {
  stub_.set_jwks(jwks_json({key_a_}));
  auto o = options();
  o.jwks_uri = stub_.jwks_uri();
  auto c = cache(o);
  ASSERT_TRUE(c->get().ok());
  EXPECT_EQ(stub_.discovery_hits, 0);
  EXPECT_EQ(stub_.jwks_hits, 1);
}

TEST_F(JwksCacheTest, UnknownKidRefetchesAtMostOncePerInterval) {
  stub_.set_jwks(jwks_json({key_a_}));
  auto c = cache(options());
  auto first = c->get();
  ASSERT_TRUE(first.ok());
  // The issuer publishes kid-b; a token names it.
  stub_.set_jwks(jwks_json({key_a_, key_b_}));
  auto newer = c->refetch_for_unknown_kid(*first);
  ASSERT_TRUE(newer.has_value());
  EXPECT_NE((**newer).find("kid-b", jose::Alg::RS256), nullptr);
  EXPECT_EQ(stub_.jwks_hits, 2);
  // A flood of made-up kids within the interval costs nothing more.
  clock_.advance(29s);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(c->refetch_for_unknown_kid(*newer).has_value());
  EXPECT_EQ(stub_.jwks_hits, 2);
  clock_.advance(1s);
  EXPECT_TRUE(c->refetch_for_unknown_kid(*newer).has_value());
  EXPECT_EQ(stub_.jwks_hits, 3);
  // The metrics tell these fetches from the expiry ones.
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[1].reason, rs::JwksFetchReason::UnknownKid);
  EXPECT_EQ(events_[2].reason, rs::JwksFetchReason::UnknownKid);
}

TEST_F(JwksCacheTest, UnknownKidGetsKeysAnotherCallerFetchedMeanwhile) {
  stub_.set_jwks(jwks_json({key_a_}));
  auto c = cache(options());
  auto old_keys = c->get();
  ASSERT_TRUE(old_keys.ok());
  stub_.set_jwks(jwks_json({key_a_, key_b_}));
  ASSERT_TRUE(c->refresh().ok());
  EXPECT_EQ(stub_.jwks_hits, 2);
  auto newer = c->refetch_for_unknown_kid(*old_keys);
  ASSERT_TRUE(newer.has_value());
  EXPECT_NE((**newer).find("kid-b", jose::Alg::RS256), nullptr);
  EXPECT_EQ(stub_.jwks_hits, 2);
}

TEST_F(JwksCacheTest, Rfc5861_StaleKeysServeWhileTheIssuerFailsThenExpire) {
  stub_.set_jwks(jwks_json({key_a_}), "max-age=60");
  auto c = cache(options());
  ASSERT_TRUE(c->get().ok());
  stub_.set_jwks_status(503);
  clock_.advance(60s);
  auto stale = c->get();
  ASSERT_TRUE(stale.ok()) << stale.error();
  EXPECT_NE((*stale)->find("kid-a", jose::Alg::RS256), nullptr);
  EXPECT_EQ(c->failure_count(), 1u);
  ASSERT_GE(events_.size(), 3u);
  EXPECT_EQ(events_[1].kind, rs::JwksEvent::Kind::FetchFailed);
  EXPECT_NE(events_[1].message.find("answered HTTP 503"), std::string::npos) << events_[1].message;
  EXPECT_EQ(events_[2].kind, rs::JwksEvent::Kind::ServingStale);
  // Within retry_interval nobody asks again.
  clock_.advance(4s);
  ASSERT_TRUE(c->get().ok());
  EXPECT_EQ(c->failure_count(), 1u);
  // Up to stale_if_error (600 s) past expiry, still the old keys.
  clock_.advance(595s);
  ASSERT_TRUE(c->get().ok());
  EXPECT_TRUE(c->has_usable_keys());
  // Then nothing.
  clock_.advance(1s);
  auto gone = c->get();
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().find("no usable signing keys"), std::string::npos) << gone.error();
  EXPECT_FALSE(c->has_usable_keys());
  // The issuer comes back: fresh keys again.
  stub_.set_jwks_status(200);
  clock_.advance(5s);
  EXPECT_TRUE(c->get().ok());
}

TEST_F(JwksCacheTest, JwksWithoutUsableKeysKeepsThePreviousSet) {
  stub_.set_jwks(jwks_json({key_a_}), "max-age=60");
  auto c = cache(options());
  ASSERT_TRUE(c->get().ok());
  stub_.set_jwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})", "max-age=60");
  clock_.advance(60s);
  auto keys = c->get();
  ASSERT_TRUE(keys.ok());
  EXPECT_NE((*keys)->find("kid-a", jose::Alg::RS256), nullptr);
  ASSERT_GE(events_.size(), 2u);
  EXPECT_NE(events_[1].message.find("is unusable"), std::string::npos) << events_[1].message;
}

TEST_F(JwksCacheTest, UnreachableIssuerIsAnErrorNotACrash) {
  // A port nobody listens on: bind, read the port, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  auto o = options();
  o.issuer = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto c = cache(o);
  auto keys = c->get();
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.error().find("Couldn't connect"), std::string::npos) << keys.error();
  EXPECT_FALSE(c->has_usable_keys());
}

}  // namespace
}  // namespace keyward::test
