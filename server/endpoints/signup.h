#pragma once
// GET/POST /signup (docs/accounts.md "Registration"): only when KEYWARD_REGISTRATION=open
// (a 404 page otherwise). The form (templates/signup.html) carries the authorization
// request it came from, if any, in hidden fields, validated again on POST before anything
// is created. A refused detail (a taken username, a weak password, ...) re-renders the
// form with the message and creates nothing. On success the account exists with its
// address unverified, the verification mail is queued, the browser is signed in as
// POST /login signs in, and goes back to /authorize (303), or to /account without a request.
#include <memory>

#include "http/router.h"
#include "server/endpoints/account_flow.h"

namespace keyward::server {

void add_signup_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow);

}  // namespace keyward::server
