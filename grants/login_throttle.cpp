#include "grants/login_throttle.h"

#include <algorithm>

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
  return "ip:" + std::string(address);
}

OAuthResult<Unit> LoginThrottle::check(std::string_view username, std::string_view address) {
  std::vector<std::string> keys{account_key(username)};
  if (!address.empty()) keys.push_back(address_key(address));
  auto records = repository_.find(keys);
  if (!records.ok()) return err(storage_failure(records.error(), "login throttle"));
  const auto now = clock_.now();
  std::chrono::system_clock::duration wait{0};
  for (const auto& record : *records) {
    if (record.blocked_until && *record.blocked_until > now) {
      wait = std::max(wait, *record.blocked_until - now);
    }
  }
  if (wait > std::chrono::system_clock::duration::zero()) {
    return err(too_many_attempts(ceil_seconds(wait)));
  }
  return Unit{};
}

OAuthResult<Unit> LoginThrottle::record_failure(std::string_view username,
                                                std::string_view address) {
  const auto now = clock_.now();
  auto count = [&](const std::string& key, const ThrottlePolicy& policy) {
    return repository_.record_failure(key, now, now - policy.forget_after,
                                      [&](int failures) -> std::optional<TimePoint> {
                                        const auto delay = policy.delay_after(failures);
                                        if (delay <= seconds(0)) return std::nullopt;
                                        return now + delay;
                                      });
  };
  auto account = count(account_key(username), options_.account);
  if (!account.ok()) return err(storage_failure(account.error(), "login throttle"));
  if (!address.empty()) {
    auto by_address = count(address_key(address), options_.address);
    if (!by_address.ok()) return err(storage_failure(by_address.error(), "login throttle"));
  }
  return Unit{};
}

OAuthResult<Unit> LoginThrottle::record_success(std::string_view username) {
  auto cleared = repository_.clear(account_key(username));
  if (!cleared.ok()) return err(storage_failure(cleared.error(), "login throttle"));
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
