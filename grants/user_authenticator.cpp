#include "grants/user_authenticator.h"

#include "grants/identifier.h"

#include <cctype>

#include "grants/client_storage_failure.h"

namespace keyward::grants {

namespace {

constexpr const char* kInvalidCredentials = "invalid username or password";

// The throttle key of a username no account has: lower-cased like stored ones (ASCII is
// enough here: a name that only PostgreSQL's lower() would fold belongs to no account).
std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

UserAuthenticator::UserAuthenticator(storage::UserRepository& users, LoginThrottle& throttle,
                                     Argon2Params params, audit::EventSink& events)
    : users_(users), events_(events), throttle_(throttle), params_(params) {}

OAuthResult<User> UserAuthenticator::authenticate(std::string_view username,
                                                  std::string_view password,
                                                  std::string_view client_ip) {
  Finding ignored;
  return check_credentials(username, password, client_ip, ignored);
}

OAuthResult<User> UserAuthenticator::sign_in(std::string_view username, std::string_view password,
                                             const SignInContext& context) {
  Finding finding;
  auto user = check_credentials(username, password, context.client_ip, finding);
  audit::Event event;
  event.client_id = context.client_id;
  event.address = context.client_ip;
  event.request_id = context.request_id;
  event.detail = {{"method", "password"}};
  if (user.ok()) {
    event.type = audit::EventType::SignIn;
    event.user_id = user->id;
  } else if (finding.failure.empty()) {
    return user;  // storage trouble: no fact about the person to report
  } else if (finding.failure == "throttled") {
    event.type = audit::EventType::SignInThrottled;
    event.user_id = finding.user_id;
    if (user.error().retry_after) event.detail["retry_after"] = user.error().retry_after->count();
  } else {
    event.type = audit::EventType::SignInFailed;
    event.user_id = finding.user_id;
    event.detail["reason"] = finding.failure;
  }
  events_.record(std::move(event));
  return user;
}

OAuthResult<User> UserAuthenticator::check_credentials(std::string_view username,
                                                       std::string_view password,
                                                       std::string_view client_ip,
                                                       Finding& finding) {
  // Not a name any account can have; refused before the throttle or the users table
  // see it (PostgreSQL would refuse invalid UTF-8, libpq would cut at NUL).
  if (!is_acceptable_identifier(username)) {
    finding.failure = "bad_credentials";
    return err(OAuthError::invalid_grant(kInvalidCredentials, "malformed username"));
  }
  auto found = users_.find_by_username(username);
  if (!found.ok()) return err(storage_failure(found.error(), "user lookup"));
  const std::optional<storage::UserRecord>& user = found.value();
  // The stored (lower-cased) name when there is an account, so "Alice" and "alice" share
  // one counter.
  const std::string account = user ? user->username : ascii_lower(username);
  if (user) finding.user_id = user->id;

  // Counted (as a failure, until the password proves right) before the password is
  // checked, whether or not the account exists, in one step with the block check: a
  // blocked key gets no answer about its password, the same answer either way, and a
  // burst of parallel guesses cannot all slip past the check while the hashes run.
  auto allowed = throttle_.begin_attempt(account, client_ip);
  if (!allowed.ok()) {
    if (allowed.error().retry_after) finding.failure = "throttled";
    return err(std::move(allowed).error());
  }

  // An unknown user, and a user without a Keyward password (federated sign-in only), is
  // checked against a dummy hash with the same parameters and then refused, so either
  // takes as long as a wrong password and gets its answer.
  const bool has_password = user && user->password_hash;
  const PasswordCheck check = verify_password(
      has_password ? *user->password_hash : dummy_password_hash(params_), password, params_);
  if (!has_password || check == PasswordCheck::Mismatch) {
    finding.failure = "bad_credentials";
    return err(OAuthError::invalid_grant(kInvalidCredentials,
                                         !user          ? "unknown user"
                                         : has_password ? "wrong password for " + account
                                                        : "no password set for " + account));
  }
  // Disabled users get no tokens. The answer is the one a wrong password gets
  // (and the attempt stays counted): only the password's holder reaches this line, but
  // nothing is gained by telling them.
  if (user->disabled) {
    finding.failure = "disabled";
    return err(OAuthError::invalid_grant(kInvalidCredentials, "user " + account + " is disabled"));
  }

  auto cleared = throttle_.record_success(account, client_ip);
  if (!cleared.ok()) return err(std::move(cleared).error());

  if (check == PasswordCheck::MatchNeedsRehash) {
    // The parameters grew since this hash was made (DESIGN.md "Secrets and passwords"):
    // store a new one now that we hold the password. Only if the hash is still the one
    // we verified (a concurrent set-password wins), and a failure here costs nothing but
    // another try at the next login.
    (void)users_.replace_password_hash(user->id, *user->password_hash,
                                       hash_password(password, params_));
  }
  return to_user(*user);
}

}  // namespace keyward::grants
