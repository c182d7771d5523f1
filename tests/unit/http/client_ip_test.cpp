// Client address resolution behind trusted proxies (http/client_ip.h).
#include "http/client_ip.h"

#include <gtest/gtest.h>

namespace keyward::http {
namespace {

TrustedProxies proxies(std::string_view list) {
  auto r = TrustedProxies::parse(list);
  EXPECT_TRUE(r.ok()) << list;
  return r.ok() ? r.value() : TrustedProxies{};
}

TEST(IpAddress, ParsesAndPrints) {
  EXPECT_EQ(IpAddress::parse("127.0.0.1")->to_string(), "127.0.0.1");
  EXPECT_EQ(IpAddress::parse("::1")->to_string(), "::1");
  EXPECT_EQ(IpAddress::parse("[::1]")->to_string(), "::1");
  EXPECT_EQ(IpAddress::parse("2001:DB8::1")->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("").has_value());
  EXPECT_FALSE(IpAddress::parse("localhost").has_value());
  EXPECT_FALSE(IpAddress::parse("1.2.3").has_value());
  EXPECT_FALSE(IpAddress::parse("1.2.3.4:80").has_value());
  EXPECT_TRUE(IpAddress::parse("127.9.9.9")->is_loopback());
  EXPECT_TRUE(IpAddress::parse("::1")->is_loopback());
  EXPECT_FALSE(IpAddress::parse("10.0.0.1")->is_loopback());
}

TEST(IpRange, Cidr) {
  auto r = IpRange::parse("10.0.0.0/8");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->contains(*IpAddress::parse("10.200.3.4")));
  EXPECT_FALSE(r->contains(*IpAddress::parse("11.0.0.1")));
  auto v6 = IpRange::parse("fd00::/8");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->contains(*IpAddress::parse("fd12::1")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("fe80::1")));
  auto odd = IpRange::parse("172.16.0.0/12");
  ASSERT_TRUE(odd.has_value());
  EXPECT_TRUE(odd->contains(*IpAddress::parse("172.31.255.255")));
  EXPECT_FALSE(odd->contains(*IpAddress::parse("172.32.0.0")));
  EXPECT_FALSE(IpRange::parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(IpRange::parse("10.0.0.0/").has_value());
  EXPECT_FALSE(IpRange::parse("10.0.0.0/x").has_value());
}

TEST(TrustedProxies, ParseErrorsNameTheEntry) {
  auto r = TrustedProxies::parse("127.0.0.1, nginx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "'nginx' is not an IP address or CIDR block");
  EXPECT_TRUE(TrustedProxies::parse("none")->ranges().empty());
  EXPECT_TRUE(TrustedProxies::parse("")->ranges().empty());
}

TEST(ClientIp, UntrustedPeerIgnoresForwardedFor) {
  const auto t = proxies("127.0.0.1");
  EXPECT_EQ(resolve_client_ip("203.0.113.7", {"198.51.100.1"}, t), "203.0.113.7");
}

TEST(ClientIp, TrustedPeerUsesRightMostUntrusted) {
  const auto t = proxies("127.0.0.1,10.0.0.0/8");
  // The client forged "1.1.1.1"; our proxies appended the real address and each other.
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {"1.1.1.1, 198.51.100.9, 10.0.0.5"}, t), "198.51.100.9");
}

TEST(ClientIp, RepeatedHeadersAreOneList) {
  const auto t = proxies("127.0.0.1,10.0.0.0/8");
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {"1.1.1.1", "198.51.100.9", "10.0.0.5"}, t),
            "198.51.100.9");
}

TEST(ClientIp, AllTrustedGivesLeftMost) {
  const auto t = proxies("127.0.0.1,10.0.0.0/8");
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {"10.1.1.1, 10.0.0.5"}, t), "10.1.1.1");
}

TEST(ClientIp, GarbageStopsAtTheProxyThatForwardedIt) {
  const auto t = proxies("127.0.0.1");
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {"198.51.100.9, <script>"}, t), "127.0.0.1");
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {""}, t), "127.0.0.1");
}

TEST(ClientIp, NoHeaderGivesPeer) {
  const auto t = proxies("127.0.0.1");
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {}, t), "127.0.0.1");
}

TEST(ClientIp, Ipv6Peer) {
  const auto t = proxies("::1");
  EXPECT_EQ(resolve_client_ip("::1", {"2001:db8::7"}, t), "2001:db8::7");
  EXPECT_EQ(resolve_client_ip("::1", {"[2001:db8::8]"}, t), "2001:db8::8");
}

TEST(ClientIp, TrustNobody) {
  const auto t = proxies("none");
  EXPECT_EQ(resolve_client_ip("127.0.0.1", {"198.51.100.9"}, t), "127.0.0.1");
}

}  // namespace
}  // namespace keyward::http
