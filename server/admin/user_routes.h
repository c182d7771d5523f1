#pragma once
#include <memory>

#include "http/router.h"
#include "server/admin/admin_api.h"

namespace keyward::server::admin {

// /admin/v1/users, /admin/v1/users/{user_id} and its actions, sessions and consents.
void add_user_routes(http::Router& router, const std::shared_ptr<AdminApi>& api);

}  // namespace keyward::server::admin
