#pragma once
#include <memory>

#include "http/router.h"
#include "server/admin/admin_api.h"

namespace keyward::server::admin {

// /admin/v1/registration-tokens[/{id}]: initial access tokens for POST /register.
void add_registration_token_routes(http::Router& router, const std::shared_ptr<AdminApi>& api);

}  // namespace keyward::server::admin
