#pragma once
// Resource owner password credentials (RFC 6749 §4.3.2) checked against the users
// table; shared by the password grant and browser sign-in.
#include <string_view>

#include "common/clock.h"
#include "grants/login_throttle.h"
#include "grants/oauth_error.h"
#include "grants/password_hash.h"
#include "grants/user.h"
#include "storage/user_repository.h"

namespace keyward::grants {

class UserAuthenticator {
 public:
  UserAuthenticator(storage::UserRepository& users, LoginThrottle& throttle, Argon2Params params);

  // Argon2id verification (~20 ms: call it from the worker pool), against a dummy hash for
  // unknown users so they cost the same; rehash on login when the stored parameters are
  // weaker than `params`; throttled per account and per address with growing back-off
  // (login_throttle.h), not a hard lock-out. Errors (invalid_grant, RFC 6749 §5.2):
  //   "invalid username or password"  unknown user, wrong password or disabled account:
  //                                   never reveals whether the username exists;
  //   "too many failed attempts, retry after N seconds"  with retry_after = N.
  // A storage failure is server_error / temporarily_unavailable.
  [[nodiscard]] OAuthResult<User> authenticate(std::string_view username, std::string_view password,
                                               std::string_view client_ip);

 private:
  storage::UserRepository& users_;
  LoginThrottle& throttle_;
  const Argon2Params params_;
};

}  // namespace keyward::grants
