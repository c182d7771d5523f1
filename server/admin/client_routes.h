#pragma once
#include <memory>

#include "http/router.h"
#include "server/admin/admin_api.h"

namespace keyward::server::admin {

// /admin/v1/clients and /admin/v1/clients/{client_id}[/secret].
void add_client_routes(http::Router& router, const std::shared_ptr<AdminApi>& api);

}  // namespace keyward::server::admin
