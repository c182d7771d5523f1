#pragma once
// The admin API under /admin/v1/ (docs/admin-api.md): JSON over HTTP for deployment
// pipelines and admin tools, over the same operations the CLI runs (operations/).
#include <chrono>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "http/router.h"
#include "operations/client_operations.h"
#include "operations/event_operations.h"
#include "operations/key_operations.h"
#include "operations/registration_token_operations.h"
#include "operations/user_operations.h"
#include "server/admin/admin_access.h"

namespace keyward::server::admin {

inline constexpr std::string_view kAdminPrefix = "/admin/v1";

struct AdminApi {
  AdminAccess access;
  operations::ClientOperations clients;
  operations::UserOperations users;
  operations::KeyOperations keys;
  operations::RegistrationTokenOperations registration_tokens;
  operations::EventOperations events;
  std::string client_secret_key;   // grants::client_secret_key of the master key
  std::string key_encryption_key;  // keys::key_encryption_key of the master key
  std::chrono::seconds key_publication_delay;
  std::string version;
  const Clock& clock;
  Logger& logger;
};

// Every admin route, on the worker pool. `api` is only used by the handlers, so a test
// may pass nullptr to read the route table (the OpenAPI document's test does).
void add_admin_routes(http::Router& router, std::shared_ptr<AdminApi> api);

// The OpenAPI 3.1 document (docs/openapi.json, compiled in).
[[nodiscard]] std::string_view openapi_document();

}  // namespace keyward::server::admin
