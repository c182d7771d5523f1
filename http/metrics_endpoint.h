#pragma once
// GET /metrics: the registry in the Prometheus text format, answered only to the addresses
// an operator allows (KEYWARD_METRICS_ALLOW, KEYWARD_RS_METRICS_ALLOW), judged on the client
// address as the service resolved it (X-Forwarded-For only from trusted proxies). Anyone
// else gets exactly the router's 404 for an unknown path, whatever the method, so the
// endpoint's existence is not revealed.
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/client_ip.h"
#include "http/router.h"
#include "metrics/registry.h"

namespace keyward::http {

inline constexpr std::string_view kMetricsPath = "/metrics";
// Loopback only: a scraper on the same host, or one that reaches the server directly.
inline constexpr std::string_view kDefaultMetricsAllow = "127.0.0.0/8,::1";

class AddressAllowList {
 public:
  AddressAllowList() = default;
  explicit AddressAllowList(std::vector<IpRange> ranges) : ranges_(std::move(ranges)) {}
  // Comma-separated addresses or CIDR blocks (IPv4 and IPv6); "none" or "" allows nobody.
  [[nodiscard]] static Result<AddressAllowList, std::string> parse(std::string_view list);
  // False for anything that is not an IP literal.
  [[nodiscard]] bool allows(std::string_view address) const;

 private:
  std::vector<IpRange> ranges_;
};

// Registers /metrics for every method on the reactor (rendering reads atomics and /proc,
// never the database). `registry` must outlive the router.
void add_metrics_route(Router& router, const metrics::Registry& registry, AddressAllowList allowed);

}  // namespace keyward::http
