#pragma once
// GET and POST /account: the account page (docs/accounts.md "The account page").
//
// GET shows the page to the signed-in browser (session_cookie.h current_session) and, to
// anyone else, the login page without a client, which returns here (return_to=account).
// A disabled or deleted user counts as signed out.
//
// POST is one form per action, told apart by `action` (profile, resend_verification,
// password, end_session, end_all_sessions, revoke_application, delete_account), every one
// with the session's CSRF token: a form without it, or with a wrong one, gets the 403
// page and changes nothing. A done action redirects (303) to account?done=<key>; a
// refused one re-renders the page with the reason (400; 429 with Retry-After when
// password attempts are throttled). Ending this browser's session, signing out
// everywhere and deleting the account clear the session cookie and answer with a notice.
// Everything runs on the worker pool (Argon2id).
#include <memory>

#include "accounts/account_service.h"
#include "http/router.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

struct AccountEndpoint {
  std::shared_ptr<const BrowserFlow> flow;
  accounts::AccountService& service;
};

void add_account_page_routes(http::Router& router,
                             const std::shared_ptr<const AccountEndpoint>& endpoint);
[[nodiscard]] http::HttpResponse handle_account_page(const http::HttpRequest& request,
                                                     const AccountEndpoint& endpoint);
[[nodiscard]] http::HttpResponse handle_account_action(const http::HttpRequest& request,
                                                       const AccountEndpoint& endpoint);

}  // namespace keyward::server
