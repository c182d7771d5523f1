#pragma once
// Resource owner password credentials (RFC 6749 §4.3.2) checked against the users
// table; shared by the password grant and browser sign-in.
#include <string_view>

#include "audit/event.h"
#include "common/clock.h"
#include "grants/login_throttle.h"
#include "grants/oauth_error.h"
#include "grants/password_hash.h"
#include "grants/user.h"
#include "storage/user_repository.h"

namespace keyward::grants {

// Where a sign-in happens, for the events it reports.
struct SignInContext {
  std::string_view client_id;  // "" for the account page's own sign-in
  std::string_view client_ip;
  std::string_view request_id;
};

class UserAuthenticator {
 public:
  UserAuthenticator(storage::UserRepository& users, LoginThrottle& throttle, Argon2Params params,
                    audit::EventSink& events);

  // Argon2id verification (~20 ms: call it from the worker pool), against a dummy hash for
  // unknown users so they cost the same; rehash on login when the stored parameters are
  // weaker than `params`; throttled per account and per address with growing back-off
  // (login_throttle.h), not a hard lock-out. Errors (invalid_grant, RFC 6749 §5.2):
  //   "invalid username or password"  unknown user, wrong password or disabled account:
  //                                   never reveals whether the username exists;
  //   "too many failed attempts, retry after N seconds"  with retry_after = N.
  // A storage failure is server_error / temporarily_unavailable.
  // For re-entering one's own password (account page, linking an upstream identity):
  // reports nothing.
  [[nodiscard]] OAuthResult<User> authenticate(std::string_view username, std::string_view password,
                                               std::string_view client_ip);

  // authenticate() as a sign-in (the login page, the password grant), reported as sign_in
  // (method "password"), sign_in_throttled, or sign_in_failed with reason
  // "bad_credentials" (unknown user, wrong or no password: the user id only when the name
  // is an account's) or "disabled". Never the typed name or password.
  [[nodiscard]] OAuthResult<User> sign_in(std::string_view username, std::string_view password,
                                          const SignInContext& context);

 private:
  // What authenticate() found, for sign_in()'s events.
  struct Finding {
    std::string user_id;       // the account's, when the name is one
    std::string_view failure;  // "" on success; "throttled", "bad_credentials", "disabled"
  };
  [[nodiscard]] OAuthResult<User> check_credentials(std::string_view username,
                                                    std::string_view password,
                                                    std::string_view client_ip, Finding& finding);

  storage::UserRepository& users_;
  audit::EventSink& events_;
  LoginThrottle& throttle_;
  const Argon2Params params_;
};

}  // namespace keyward::grants
