#pragma once
// Sign-in throttling (DESIGN.md "Secrets and passwords"; issue 4): failed password
// attempts are counted per account ("user:<username>") and per address
// ("ip:<address>"). After `free_failures` failures in a row each further failure blocks
// the key for a delay that doubles, capped at `max_delay`: a growing back-off rather
// than a hard lock-out, which an attacker could use to lock users out. A success clears
// the account's counter (not the address's: one right password must not buy an address
// another round of guesses on other accounts); a key left alone for `forget_after`
// starts again from zero.
//
// Defaults: account 5 free failures, address 20 (offices and carrier NAT share one), then
// 1 s, 2 s, 4 s, ... capped at 15 min; forgotten after 1 h without failures.
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
  int free_failures = 5;
  std::chrono::seconds base_delay{1};
  std::chrono::seconds max_delay{15 * 60};
  std::chrono::seconds forget_after{60 * 60};

  // How long a key is blocked after its `failures`-th failure in a row: zero while
  // failures < free_failures, then base_delay * 2^(failures - free_failures), capped.
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
  // is longer). The same answer whether or not the account exists. An empty address is
  // not counted.
  [[nodiscard]] OAuthResult<Unit> check(std::string_view username, std::string_view address);

  // After a wrong password (or an unknown user): counts a failure for both keys.
  [[nodiscard]] OAuthResult<Unit> record_failure(std::string_view username,
                                                 std::string_view address);

  // After a right password: clears the account's counter.
  [[nodiscard]] OAuthResult<Unit> record_success(std::string_view username);

  [[nodiscard]] static std::string account_key(std::string_view username);
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
