#pragma once
// GET/POST /verify-email (docs/accounts.md "E-mail verification"). The mailed link is a
// GET, which mail scanners fetch on their own, so it only shows a page with a button
// (templates/verify.html); the button's POST (CSRF-checked against the pre-login cookie)
// uses the link, which marks the address verified if it is still the account's. Unknown,
// used and expired links get a page that says so.
#include <memory>

#include "http/router.h"
#include "server/endpoints/account_flow.h"

namespace keyward::server {

void add_verify_email_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow);

}  // namespace keyward::server
