// The sign-in back-off policy: the maths of ThrottlePolicy and the throttled
// error. The stored counters are exercised against PostgreSQL in
// tests/integration/clients.
#include "grants/login_throttle.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

using std::chrono::seconds;

TEST(LoginThrottle, DelayDoublesFromTheThresholdAndIsCapped) {
  const ThrottlePolicy policy;  // 5, 1 s, 15 min
  const std::pair<int, long> rows[] = {
      {0, 0},    {1, 0},    {4, 0},    {5, 1},    {6, 2},    {7, 4},      {10, 32},
      {14, 512}, {15, 900}, {16, 900}, {40, 900}, {45, 900}, {1000, 900},
  };
  for (const auto& [failures, delay] : rows) {
    EXPECT_EQ(policy.delay_after(failures), seconds(delay)) << failures << " failures";
  }
}

// An IPv6 address is keyed by its /64 (whoever holds one address of a /64 usually holds
// all of it); an IPv4 address, and an IPv4-mapped IPv6 one, by the address itself.
TEST(LoginThrottle, AddressKeysIpv6BySlash64) {
  const auto key = LoginThrottle::address_key;
  EXPECT_EQ(key("2001:db8:1:2::1"), "ip:2001:db8:1:2::/64");
  EXPECT_EQ(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), key("2001:db8:1:2::1"));
  EXPECT_EQ(key("2001:0DB8:0001:0002:0:0:0:9"), key("2001:db8:1:2::1"));
  EXPECT_NE(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
  EXPECT_EQ(key("::1"), "ip:::/64");
  EXPECT_EQ(key("192.0.2.7"), "ip:192.0.2.7");
  EXPECT_NE(key("192.0.2.7"), key("192.0.2.8"));
  EXPECT_EQ(key("::ffff:192.0.2.7"), "ip:192.0.2.7");
  // Anything else (not an address) is kept as given.
  EXPECT_EQ(key("unix"), "ip:unix");
}

TEST(LoginThrottle, PolicyParametersApply) {
  ThrottlePolicy policy;
  policy.threshold = 3;
  policy.base_delay = seconds(10);
  policy.max_delay = seconds(60);
  EXPECT_EQ(policy.delay_after(2), seconds(0));
  EXPECT_EQ(policy.delay_after(3), seconds(10));
  EXPECT_EQ(policy.delay_after(4), seconds(20));
  EXPECT_EQ(policy.delay_after(5), seconds(40));
  EXPECT_EQ(policy.delay_after(6), seconds(60));
  EXPECT_EQ(policy.delay_after(INT32_MAX), seconds(60));
}

TEST(LoginThrottle, DefaultsAreTheDocumentedOnes) {
  const LoginThrottleOptions options;
  EXPECT_EQ(options.account.threshold, 5);
  EXPECT_EQ(options.address.threshold, 20);
  for (const auto& p : {options.account, options.address}) {
    EXPECT_EQ(p.base_delay, seconds(1));
    EXPECT_EQ(p.max_delay, seconds(900));
    EXPECT_EQ(p.forget_after, seconds(3600));
  }
}

TEST(LoginThrottle, TooManyAttemptsIsInvalidGrantWithRetryAfter) {
  const auto e = too_many_attempts(seconds(17));
  EXPECT_EQ(e.code, ErrorCode::InvalidGrant);
  EXPECT_EQ(e.wire_name(), "invalid_grant");
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_EQ(e.description, "too many failed attempts, retry after 17 seconds");
  EXPECT_EQ(e.retry_after, seconds(17));
  // Never "retry after 0 seconds".
  EXPECT_EQ(too_many_attempts(seconds(0)).description,
            "too many failed attempts, retry after 1 seconds");
  EXPECT_EQ(too_many_attempts(seconds(0)).retry_after, seconds(1));
}

TEST(LoginThrottle, KeysSeparateAccountsFromAddressesAndStayShort) {
  EXPECT_EQ(LoginThrottle::account_key("alice"), "user:alice");
  EXPECT_EQ(LoginThrottle::address_key("192.0.2.1"), "ip:192.0.2.1");
  EXPECT_EQ(LoginThrottle::address_key("2001:db8::1"), "ip:2001:db8::/64");  // its /64
  // No account can have a name over 255 bytes; it is still counted, under its digest.
  const std::string long_name(10'000, 'x');
  const auto key = LoginThrottle::account_key(long_name);
  EXPECT_EQ(key.rfind("user#", 0), 0u);
  EXPECT_EQ(key.size(), 5u + 64u);
  EXPECT_NE(LoginThrottle::account_key(long_name + "y"), key);
}

}  // namespace
}  // namespace keyward::grants
