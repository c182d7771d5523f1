#pragma once
#include <memory>

#include "http/router.h"
#include "server/admin/admin_api.h"

namespace keyward::server::admin {

// /admin/v1/keys, /admin/v1/keys/rotate, /admin/v1/status and /admin/v1/openapi.json.
void add_key_and_status_routes(http::Router& router, const std::shared_ptr<AdminApi>& api);

}  // namespace keyward::server::admin
