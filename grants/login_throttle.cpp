#include "grants/login_throttle.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "common/crypto.h"
#include "grants/client_storage_failure.h"

namespace keyward::grants {

namespace {

using std::chrono::seconds;

// The table's key is at most 512 characters; a username no account can have (over 255)
// is replaced by its digest so it is still counted.
constexpr size_t kMaxUsernameInKey = 255;

seconds ceil_seconds(std::chrono::system_clock::duration d) {
  return std::chrono::ceil<seconds>(d);
}

}  // namespace

seconds ThrottlePolicy::delay_after(int failures) const {
  if (failures < threshold) return seconds(0);
  const int doublings = failures - threshold;
  // 2^doublings overflows long before it matters: past 40 doublings it is the cap anyway.
  if (doublings >= 40) return max_delay;
  const auto delay = base_delay * (1LL << doublings);
  return std::min<seconds>(delay, max_delay);
}

LoginThrottle::LoginThrottle(storage::ThrottleRepository& repository, const Clock& clock,
                             LoginThrottleOptions options)
    : repository_(repository), clock_(clock), options_(options) {}

std::string LoginThrottle::account_key(std::string_view username) {
  if (username.size() > kMaxUsernameInKey) return "user#" + to_hex(sha256(username));
  return "user:" + std::string(username);
}

std::string LoginThrottle::address_key(std::string_view address) {
  // Addresses come from the connection or a trusted proxy's X-Forwarded-For (a few dozen
  // characters at most); the digest is only a guard for the table's length limit.
  if (address.size() > kMaxUsernameInKey) return "ip#" + to_hex(sha256(address));
  const std::string text(address);
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    char out[INET6_ADDRSTRLEN] = {};
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      in_addr v4{};
      std::memcpy(&v4, &v6.s6_addr[12], sizeof v4);
      if (inet_ntop(AF_INET, &v4, out, sizeof out) != nullptr) return "ip:" + std::string(out);
    }
    // Whoever holds one address of a /64 (the block a network assigns to one subscriber)
    // can use all 2^64 of them: counting each separately would count nothing.
    std::memset(&v6.s6_addr[8], 0, 8);
    if (inet_ntop(AF_INET6, &v6, out, sizeof out) != nullptr) {
      return "ip:" + std::string(out) + "/64";
    }
  }
  return "ip:" + text;
}

OAuthResult<Unit> LoginThrottle::begin_attempt(std::string_view username,
                                               std::string_view address) {
  const auto now = clock_.now();
  auto key = [&](std::string name, const ThrottlePolicy& policy) {
    return storage::ThrottleRepository::AttemptKey{
        std::move(name), now - policy.forget_after,
        [&policy, now](int failures) -> std::optional<TimePoint> {
          const auto delay = policy.delay_after(failures);
          if (delay <= seconds(0)) return std::nullopt;
          return now + delay;
        }};
  };
  std::vector<storage::ThrottleRepository::AttemptKey> keys;
  keys.push_back(key(account_key(username), options_.account));
  if (!address.empty()) keys.push_back(key(address_key(address), options_.address));
  auto outcome = repository_.count_attempt(std::move(keys), now);
  if (!outcome.ok()) return err(storage_failure(outcome.error(), "login throttle"));
  if (outcome->counted) return Unit{};
  std::chrono::system_clock::duration wait{0};
  for (const auto& record : outcome->records) {
    if (record.blocked_until && *record.blocked_until > now) {
      wait = std::max(wait, *record.blocked_until - now);
    }
  }
  return err(too_many_attempts(ceil_seconds(wait)));
}

OAuthResult<Unit> LoginThrottle::record_success(std::string_view username,
                                                std::string_view address) {
  auto cleared = repository_.clear(account_key(username));
  if (!cleared.ok()) return err(storage_failure(cleared.error(), "login throttle"));
  if (!address.empty()) {
    auto taken_back = repository_.uncount(address_key(address));
    if (!taken_back.ok()) return err(storage_failure(taken_back.error(), "login throttle"));
  }
  return Unit{};
}

OAuthError too_many_attempts(seconds retry_after) {
  const auto wait = std::max(retry_after, seconds(1));
  auto e = OAuthError::invalid_grant("too many failed attempts, retry after " +
                                     std::to_string(wait.count()) + " seconds");
  e.retry_after = wait;
  return e;
}

}  // namespace keyward::grants
