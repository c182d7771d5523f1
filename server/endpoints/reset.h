#pragma once
// GET/POST /reset (docs/accounts.md "Password recovery"): the mailed reset link shows the
// new-password form (templates/reset.html) while it is live; the form's POST (CSRF-checked
// against the pre-login cookie, the link's token in a hidden field) checks the password
// rules, uses the link, sets the new password and ends every grant and browser session of
// the account. Unknown, used and expired links get a page that says so.
#include <memory>

#include "http/router.h"
#include "server/endpoints/account_flow.h"

namespace keyward::server {

void add_reset_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow);

}  // namespace keyward::server
