#pragma once
// POST /login: the login form (templates/login.html). The CSRF token must match the
// session (403 page otherwise, nothing else read); the authorization request in the
// hidden fields is validated again; the password is checked by UserAuthenticator
// (Argon2id on the worker pool, throttled per account and per address). A wrong
// password re-renders the form with one message whether or not the username exists, and
// issues nothing; a throttled attempt answers 429 with Retry-After. On success the
// session is replaced by a signed-in one with a new id (session fixation) and the
// browser goes back to /authorize (303) without prompt=login and max_age, both now
// satisfied.
#include <memory>

#include "server/endpoints/authorize.h"

namespace keyward::server {

void add_login_route(Router& router, std::shared_ptr<const BrowserFlow> flow);
[[nodiscard]] HttpResponse handle_login(const HttpRequest& request, const BrowserFlow& flow);

// The page for a form whose CSRF token does not match its session (or that came with no
// session): 403, and nothing of the form is used.
[[nodiscard]] HttpResponse csrf_failure_page(const BrowserFlow& flow, const HttpRequest& request);

// The form body's own field (csrf_token, username, ...), strictly parsed; nullopt when
// absent or repeated.
[[nodiscard]] std::optional<std::string> form_field(const HttpRequest& request,
                                                    std::string_view name);

}  // namespace keyward::server
