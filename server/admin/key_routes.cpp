// /admin/v1/keys (list, rotate) through operations::KeyOperations like `keyward keys`;
// /admin/v1/status; and the OpenAPI document, which needs no token (it describes the API,
// it holds nothing about this deployment).
#include "server/admin/key_routes.h"

#include "server/admin/admin_route.h"
#include "server/admin/client_routes.h"
#include "server/admin/event_routes.h"
#include "server/admin/registration_token_routes.h"
#include "server/admin/user_routes.h"

namespace keyward::server::admin {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::ordered_json;

HttpResponse list(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  if (!request.query.empty()) {
    return problem(400, "invalid-request", "this list takes no query parameters");
  }
  auto keys = api.keys.list();
  if (!keys.ok()) return problem_for(keys.error());
  auto items = ordered_json::array();
  for (const auto& k : *keys) items.push_back(operations::describe_key(k));
  return json_answer(200, ordered_json{{"items", std::move(items)}});
}

HttpResponse rotate(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request, {{"alg", FieldType::String}}, /*empty_allowed=*/true)
  std::optional<jose::Alg> alg;
  if (auto name = string_field(body, "alg")) {
    auto parsed = operations::rotation_alg(*name);
    if (!parsed.ok()) {
      return problem(400, "invalid-request", "alg must be RS256, ES256 or EdDSA",
                     {{"alg", "must be RS256, ES256 or EdDSA"}});
    }
    alg = *parsed;
  }
  auto rotated =
      api.keys.acting(admin_actor(request, caller))
          .rotate(api.key_encryption_key, alg, api.clock.now(), api.key_publication_delay);
  if (!rotated.ok()) return problem_for(rotated.error());
  log_change(api, caller, "keys.rotate", rotated->key.kid);
  auto doc = operations::describe_key(rotated->key);
  if (!rotated->notified) {
    doc["warning"] =
        "NOTIFY failed; running instances publish the key at their next periodic "
        "re-read (30 s)";
  }
  return json_answer(201, doc);
}

HttpResponse status(const HttpRequest&, const AdminCaller&, AdminApi& api) {
  ordered_json doc;
  doc["version"] = api.version;
  auto keys = api.keys.list();
  auto clients = api.clients.list();
  auto users = api.users.list();
  const bool database_ok = keys.ok() && clients.ok() && users.ok();
  doc["database"] = database_ok ? "ok" : "unavailable";
  if (keys.ok()) {
    auto items = ordered_json::array();
    for (const auto& k : *keys) items.push_back(operations::describe_key(k));
    doc["keys"] = std::move(items);
  }
  if (clients.ok() && users.ok()) {
    doc["counts"] = {{"clients", clients->size()}, {"users", users->size()}};
  }
  return json_answer(database_ok ? 200 : 503, doc);
}

}  // namespace

void add_key_and_status_routes(http::Router& router, const std::shared_ptr<AdminApi>& api) {
  using http::Method;
  add_admin_route(router, api, Method::Get, "/keys", AdminPart::Keys, list);
  add_admin_route(router, api, Method::Post, "/keys/rotate", AdminPart::Keys, rotate);
  add_admin_route(router, api, Method::Get, "/status", AdminPart::Status, status);
  router.add(Method::Get, std::string(kAdminPrefix) + "/openapi.json", [](const HttpRequest&) {
    HttpResponse response;
    response.body = std::string(openapi_document());
    response.headers.set("Content-Type", "application/json");
    response.headers.set("Cache-Control", "public, max-age=3600");
    response.headers.set("Access-Control-Allow-Origin", "*");
    return response;
  });
}

void add_admin_routes(http::Router& router, std::shared_ptr<AdminApi> api) {
  add_client_routes(router, api);
  add_user_routes(router, api);
  add_registration_token_routes(router, api);
  add_event_routes(router, api);
  add_key_and_status_routes(router, api);
}

}  // namespace keyward::server::admin
