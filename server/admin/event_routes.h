#pragma once
#include <memory>

#include "http/router.h"
#include "server/admin/admin_api.h"

namespace keyward::server::admin {

// /admin/v1/events and /admin/v1/stats.
void add_event_routes(http::Router& router, const std::shared_ptr<AdminApi>& api);

}  // namespace keyward::server::admin
