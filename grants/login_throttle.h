#pragma once
// Sign-in throttling (DESIGN.md "Secrets and passwords"): failed password
// attempts are counted per account ("user:<username>") and per address
// ("ip:<address>"). From the `threshold`-th failure in a row on, each failure blocks
// the key for a delay that doubles, capped at `max_delay`: a growing back-off rather
// than a hard lock-out, which an attacker could use to lock users out. A success clears
// the account's counter (not the address's: one right password must not buy an address
// another round of guesses on other accounts); a key left alone for `forget_after`
// starts again from zero. Attempts refused while blocked are not counted (and no
// password is checked for them).
//
// An attempt is counted as a failure before its password is checked, in the same
// transaction as the block check (begin_attempt), and taken back when the password was
// right: a burst of parallel guesses cannot all pass the check while the first hashes
// are still running, so at most `threshold` of them reach the hash before the block.
// An IPv6 client is keyed by its /64, the block a network hands to one subscriber.
//
// Defaults: an account is blocked for 1 s after its 5th failure in a row, 2 s after the
// 6th, 4 s after the 7th, ... and 15 min (the cap) from the 15th on; an address the same
// from its 20th failure (offices and carrier NAT share addresses); forgotten after 1 h
// without failures. That leaves a guesser about 100 tries a day per account. The price:
// while someone guesses, the owner too must wait out each block (never longer than 15
// min); docs/clients.md says so.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "grants/oauth_error.h"
#include "storage/throttle_repository.h"

namespace keyward::grants {

struct ThrottlePolicy {
  int threshold = 5;  // failures in a row before the first delay
  std::chrono::seconds base_delay{1};
  std::chrono::seconds max_delay{15 * 60};
  std::chrono::seconds forget_after{60 * 60};

  // How long a key is blocked after its `failures`-th failure in a row: zero while
  // failures < threshold, then base_delay * 2^(failures - threshold), capped at max_delay.
  [[nodiscard]] std::chrono::seconds delay_after(int failures) const;
};

struct LoginThrottleOptions {
  ThrottlePolicy account{};
  ThrottlePolicy address{20, std::chrono::seconds(1), std::chrono::seconds(15 * 60),
                         std::chrono::seconds(60 * 60)};
};

class LoginThrottle {
 public:
  LoginThrottle(storage::ThrottleRepository& repository, const Clock& clock,
                LoginThrottleOptions options = {});

  // Before checking a password: invalid_grant "too many failed attempts, retry after N
  // seconds" with retry_after = N when the account or the address is blocked (whichever
  // is longer), and nothing counted; otherwise the attempt is counted as a failure on
  // both keys (atomically with the check), which a right password takes back through
  // record_success. The same answer whether or not the account exists. An empty address
  // is not counted.
  [[nodiscard]] OAuthResult<Unit> begin_attempt(std::string_view username,
                                                std::string_view address);

  // After a right password: clears the account's counter and takes the attempt back
  // from the address's.
  [[nodiscard]] OAuthResult<Unit> record_success(std::string_view username,
                                                 std::string_view address);

  [[nodiscard]] static std::string account_key(std::string_view username);
  // "ip:<address>" for IPv4 (an IPv4-mapped IPv6 address is its IPv4 address), and
  // "ip:<prefix>::/64" for IPv6; anything that is not an address is kept as given.
  [[nodiscard]] static std::string address_key(std::string_view address);

  [[nodiscard]] const LoginThrottleOptions& options() const { return options_; }

 private:
  storage::ThrottleRepository& repository_;
  const Clock& clock_;
  const LoginThrottleOptions options_;
};

// The throttled error: the whole seconds to wait, rounded up, at least 1.
[[nodiscard]] OAuthError too_many_attempts(std::chrono::seconds retry_after);

}  // namespace keyward::grants
