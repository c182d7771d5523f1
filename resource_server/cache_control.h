#pragma once
// The few Cache-Control response directives (RFC 9111 §5.2.2) that decide how long a JWKS may
// be kept.
#include <chrono>
#include <optional>
#include <string_view>

namespace keyward::rs {

struct CacheDirectives {
  std::optional<std::chrono::seconds> max_age;  // max-age=N (delta-seconds, §1.2.2)
  bool no_store = false;
  bool no_cache = false;
};

// Directive names are case-insensitive (§5.2); a malformed or repeated max-age is ignored as a
// whole (§4.2.1: "a cache SHOULD consider [it] invalid"), and values above 2^31 are capped at
// 2^31 seconds (§1.2.2).
[[nodiscard]] CacheDirectives parse_cache_control(std::string_view value);

}  // namespace keyward::rs
