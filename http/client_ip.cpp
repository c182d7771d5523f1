#include "http/client_ip.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace keyward::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr std::array<uint8_t, 12> kV4Prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // Brackets are how IPv6 appears in URLs and some X-Forwarded-For writers.
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  IpAddress ip;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    std::copy(kV4Prefix.begin(), kV4Prefix.end(), ip.bytes.begin());
    std::memcpy(ip.bytes.data() + 12, &v4, 4);
    return ip;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(ip.bytes.data(), &v6, 16);
    return ip;
  }
  return std::nullopt;
}

bool IpAddress::is_v4() const {
  return std::equal(kV4Prefix.begin(), kV4Prefix.end(), bytes.begin());
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes[12] == 127;
  static constexpr std::array<uint8_t, 16> kLoop = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return bytes == kLoop;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<IpRange> IpRange::parse(std::string_view text) {
  text = trim(text);
  const size_t slash = text.find('/');
  auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  IpRange range{*ip, 128};
  if (slash == std::string_view::npos) return range;
  const std::string_view bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int n = std::stoi(std::string(bits));
  const int max = ip->is_v4() ? 32 : 128;
  if (n > max) return std::nullopt;
  range.prefix_bits = ip->is_v4() ? 96 + n : n;
  return range;
}

bool IpRange::contains(const IpAddress& ip) const {
  int bits = prefix_bits;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

Result<TrustedProxies, std::string> TrustedProxies::parse(std::string_view list) {
  std::vector<IpRange> ranges;
  if (trim(list).empty() || trim(list) == "none") return TrustedProxies{};
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    const std::string_view item = trim(list.substr(start, end - start));
    auto range = IpRange::parse(item);
    if (!range) {
      // Appended, not "'" + std::string(item): GCC 12 -O3 -Wrestrict false positive.
      std::string message(1, '\'');
      message.append(item);
      message.append("' is not an IP address or CIDR block");
      return err(std::move(message));
    }
    ranges.push_back(*range);
    start = end + 1;
  }
  return TrustedProxies(std::move(ranges));
}

bool TrustedProxies::trusts(const IpAddress& ip) const {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const IpRange& r) { return r.contains(ip); });
}

std::string resolve_client_ip(std::string_view peer,
                              const std::vector<std::string_view>& forwarded_for,
                              const TrustedProxies& trusted) {
  auto current = IpAddress::parse(peer);
  if (!current) return std::string(peer);
  // Every hop, left to right, across repeated headers (RFC 9110 §5.3: same as one
  // comma-joined header).
  std::vector<std::string_view> hops;
  for (auto value : forwarded_for) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t end = value.find(',', start);
      if (end == std::string_view::npos) end = value.size();
      hops.push_back(trim(value.substr(start, end - start)));
      start = end + 1;
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend() && trusted.trusts(*current); ++it) {
    auto next = IpAddress::parse(*it);
    if (!next) break;
    current = next;
  }
  return current->to_string();
}

}  // namespace keyward::http
