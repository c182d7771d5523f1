#pragma once
// GET/POST /recover (docs/accounts.md "Password recovery"): the user gives a username or
// an e-mail address; the answer is the same page whether or not an account matches, is
// disabled, or has reached its hourly mail limit, so the page tells nobody who has an
// account. A matching enabled account with an address is mailed a reset link.
#include <memory>

#include "http/router.h"
#include "server/endpoints/account_flow.h"

namespace keyward::server {

void add_recover_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow);

}  // namespace keyward::server
