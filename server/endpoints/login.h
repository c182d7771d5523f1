#pragma once
// POST /login: the login form (templates/login.html). The CSRF token must match the
// session (403 page otherwise, nothing else read); the authorization request in the
// hidden fields is validated again; the password is checked by UserAuthenticator
// (Argon2id on the worker pool, throttled per account and per address). A wrong
// password re-renders the form with one message whether or not the username exists, and
// issues nothing; a throttled attempt answers 429 with Retry-After. On success the
// session is replaced by a signed-in one with a new id (session fixation) and the
// browser goes back to /authorize (303) without prompt=login and max_age, both now
// satisfied. The account page's form (return_to=account, no authorization request) goes
// back to /account instead. The session records the browser's User-Agent and address for
// the account page's list of sessions.
#include <memory>

#include "http/router.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

void add_login_route(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow);
[[nodiscard]] http::HttpResponse handle_login(const http::HttpRequest& request,
                                              const BrowserFlow& flow);

}  // namespace keyward::server
