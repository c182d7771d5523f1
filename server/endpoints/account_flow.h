#pragma once
// What the account endpoints (/signup, /verify-email, /recover, /reset) are built on: the
// browser flow's pages, sessions and cookies, and the accounts/ rules. Every form is
// anonymous, so its CSRF token is bound to the pre-login cookie (session_cookie.h), and
// every route runs on the worker pool (Argon2id, mail queueing).
#include <functional>
#include <memory>

#include "accounts/email_verification.h"
#include "accounts/password_recovery.h"
#include "accounts/registration.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

// Everything must outlive the routes.
struct AccountFlow {
  std::shared_ptr<const BrowserFlow> browser;
  accounts::Registration& registration;
  accounts::EmailVerification& verification;
  accounts::PasswordRecovery& recovery;
  // Runs a task on the worker pool after the answer (false when the pool is full). /recover
  // does its work there, so that how long the answer takes cannot tell whether an account
  // matched (only a match writes links and mails).
  std::function<bool(std::function<void()>)> run_later;
};

}  // namespace keyward::server
