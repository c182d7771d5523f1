// GET /metrics and its allow list (http/metrics_endpoint.h).
#include "http/metrics_endpoint.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "http/service.h"

namespace keyward::http {
namespace {

TEST(AddressAllowList, IPv4AndIPv6RangesAndNone) {
  const auto allow = AddressAllowList::parse("127.0.0.0/8,::1,10.1.0.0/16,fd00::/8").value();
  EXPECT_TRUE(allow.allows("127.0.0.1"));
  EXPECT_TRUE(allow.allows("127.9.9.9"));
  EXPECT_TRUE(allow.allows("::1"));
  EXPECT_TRUE(allow.allows("10.1.200.3"));
  EXPECT_TRUE(allow.allows("fd12::5"));
  EXPECT_FALSE(allow.allows("10.2.0.1"));
  EXPECT_FALSE(allow.allows("::2"));
  EXPECT_FALSE(allow.allows("192.0.2.1"));
  EXPECT_FALSE(allow.allows(""));
  EXPECT_FALSE(allow.allows("localhost"));
  const auto nobody = AddressAllowList::parse("none").value();
  EXPECT_FALSE(nobody.allows("127.0.0.1"));
  EXPECT_FALSE(AddressAllowList::parse("10.0.0.0/33").ok());
  EXPECT_FALSE(AddressAllowList::parse("example.com").ok());
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  MetricsEndpointTest()
      : log_(std::tmpfile()),
        logger_(LogLevel::Error, log_),
        service_(HttpServiceOptions{TrustedProxies::parse("127.0.0.1").value()}, logger_) {
    registry_.counter("demo_total", "A demo.").inc(7);
    add_metrics_route(service_.router(), registry_,
                      AddressAllowList::parse("127.0.0.0/8,::1").value());
  }
  ~MetricsEndpointTest() override { std::fclose(log_); }

  HttpResponse run(std::string method, std::string peer, std::string forwarded_for = "") {
    IncomingRequest in;
    in.method = std::move(method);
    in.target = "/metrics";
    in.peer_address = std::move(peer);
    if (!forwarded_for.empty()) in.headers.add("X-Forwarded-For", forwarded_for);
    auto p = service_.prepare(std::move(in));
    return p.response ? *p.response : service_.invoke(*p.route, p.request);
  }

  std::FILE* log_;
  Logger logger_;
  metrics::Registry registry_;
  HttpService service_;
};

TEST_F(MetricsEndpointTest, AllowedAddressGetsTheExposition) {
  const auto r = run("GET", "127.0.0.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Content-Type").value(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.headers.get("Cache-Control").value(), "no-store");
  EXPECT_EQ(r.body, "# HELP demo_total A demo.\n# TYPE demo_total counter\ndemo_total 7\n");
}

TEST_F(MetricsEndpointTest, OthersGetTheRouters404WhateverTheMethod) {
  IncomingRequest unknown;
  unknown.method = "GET";
  unknown.target = "/no-such-endpoint";
  unknown.peer_address = "192.0.2.1";
  const auto not_found = *service_.prepare(std::move(unknown)).response;
  for (const char* method : {"GET", "POST", "HEAD", "DELETE"}) {
    const auto r = run(method, "192.0.2.1");
    EXPECT_EQ(r.status, 404) << method;
    EXPECT_EQ(r.body, not_found.body) << method;
    EXPECT_FALSE(r.headers.get("Allow").has_value()) << method;
  }
}

TEST_F(MetricsEndpointTest, JudgedOnTheResolvedClientAddress) {
  // Through our trusted proxy on loopback, the client is the forwarded address: refused.
  EXPECT_EQ(run("GET", "127.0.0.1", "203.0.113.9").status, 404);
  // An untrusted peer cannot claim loopback with X-Forwarded-For.
  EXPECT_EQ(run("GET", "192.0.2.1", "127.0.0.1").status, 404);
}

TEST_F(MetricsEndpointTest, OtherMethodsFromAnAllowedAddressAre405) {
  const auto r = run("POST", "127.0.0.1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("Allow").value(), "GET");
}

}  // namespace
}  // namespace keyward::http
