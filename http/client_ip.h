#pragma once
// Which address a request came from. The TCP peer is the truth unless the peer is one
// of our own proxies (KEYWARD_TRUSTED_PROXIES): only then is X-Forwarded-For read, from
// the right, skipping our proxies, and the first address we do not trust is the client.
// Anything left of it was written by the client and proves nothing.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace keyward::http {

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d, RFC 4291 §2.5.5.2).
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool is_v4() const;
  [[nodiscard]] bool is_loopback() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// An address or a CIDR block ("10.0.0.0/8", "fd00::/8", "127.0.0.1").
struct IpRange {
  IpAddress base;
  int prefix_bits = 128;  // on the 16-byte form
  [[nodiscard]] static std::optional<IpRange> parse(std::string_view text);
  [[nodiscard]] bool contains(const IpAddress& ip) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<IpRange> ranges) : ranges_(std::move(ranges)) {}
  // A comma-separated list of addresses or CIDR blocks; "none" or "" trusts nobody.
  [[nodiscard]] static Result<TrustedProxies, std::string> parse(std::string_view list);

  [[nodiscard]] bool trusts(const IpAddress& ip) const;
  [[nodiscard]] const std::vector<IpRange>& ranges() const { return ranges_; }

 private:
  std::vector<IpRange> ranges_;
};

// `peer` is the TCP peer's address; `forwarded_for` every X-Forwarded-For value in order.
// Returns the client address as text; an unparseable entry stops the walk at the proxy
// that forwarded it.
[[nodiscard]] std::string resolve_client_ip(std::string_view peer,
                                            const std::vector<std::string_view>& forwarded_for,
                                            const TrustedProxies& trusted);

}  // namespace keyward::http
