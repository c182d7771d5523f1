// /admin/v1/clients: list (paged, filtered by name and grant type), create, read, update,
// rotate the secret, delete; through operations::ClientOperations, like `keyward client`.
#include "server/admin/client_routes.h"

#include <optional>

#include "grants/scope.h"
#include "server/admin/admin_route.h"

namespace keyward::server::admin {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::ordered_json;

constexpr std::string_view kGrantRefused =
    "only a caller with keyward:admin may give a client an admin scope (keyward:admin*) or "
    "the admin audience";
constexpr std::string_view kTouchRefused =
    "only a caller with keyward:admin may change, rotate the secret of or delete a client that "
    "has an admin scope (keyward:admin*) or the admin audience";

// Why the caller may not change client `id` (404, 403, …), or nothing when it may.
std::optional<HttpResponse> refused_change(const std::string& id, const AdminCaller& caller,
                                           AdminApi& api) {
  auto client = api.clients.show(id);
  if (!client.ok()) return problem_for(client.error());
  if (!api.access.may_manage(caller, client->scopes, client->audiences)) {
    return admin_power_refused(kTouchRefused);
  }
  return std::nullopt;
}

HttpResponse list(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto read = read_list_query(request, {"name", "grant_type"});
  if (auto* refused = std::get_if<HttpResponse>(&read)) return *refused;
  const auto& query = std::get<ListQuery>(read);
  operations::ClientFilter filter;
  if (auto it = query.filters.find("name"); it != query.filters.end()) {
    filter.name_contains = it->second;
  }
  if (auto it = query.filters.find("grant_type"); it != query.filters.end()) {
    filter.grant_type = it->second;
  }
  auto page = api.clients.list_page(filter, query.page);
  if (!page.ok()) return problem_for(page.error());
  return page_answer(request, *page, query, operations::describe_client);
}

HttpResponse create(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request,
                     {{"client_name", FieldType::String, true},
                      {"grant_types", FieldType::StringArray, true},
                      {"scope", FieldType::String, true},
                      {"redirect_uris", FieldType::StringArray},
                      {"post_logout_redirect_uris", FieldType::StringArray},
                      {"audiences", FieldType::StringArray},
                      {"client_type", FieldType::String},
                      {"first_party", FieldType::Boolean},
                      {"token_endpoint_auth_method", FieldType::String},
                      {"may_introspect", FieldType::Boolean}})
  const auto client_type = string_field(body, "client_type").value_or("confidential");
  if (client_type != "confidential" && client_type != "public") {
    return problem(400, "invalid-request", "client_type must be confidential or public",
                   {{"client_type", "must be confidential or public"}});
  }
  grants::ClientRegistration registration;
  registration.name = *string_field(body, "client_name");
  registration.grant_types = strings_field(body, "grant_types");
  registration.scope = *string_field(body, "scope");
  registration.redirect_uris = strings_field(body, "redirect_uris");
  registration.post_logout_redirect_uris = strings_field(body, "post_logout_redirect_uris");
  registration.audiences = strings_field(body, "audiences");
  registration.public_client = client_type == "public";
  registration.first_party = bool_field(body, "first_party").value_or(false);
  registration.token_endpoint_auth_method = string_field(body, "token_endpoint_auth_method");
  registration.may_introspect = bool_field(body, "may_introspect").value_or(false);
  // A scope string that does not parse is refused by create() below (400).
  const auto scopes = grants::parse_scope(registration.scope).value_or(grants::ScopeSet{});
  if (!api.access.may_manage(caller, {scopes.begin(), scopes.end()}, registration.audiences)) {
    return admin_power_refused(kGrantRefused);
  }
  auto created =
      api.clients.acting(admin_actor(request, caller)).create(registration, api.client_secret_key);
  if (!created.ok()) return problem_for(created.error());
  const auto& client = created->value.client;
  log_change(api, caller, "client.create", client.client_id);
  ordered_json doc;
  doc["client_id"] = client.client_id;
  if (created->value.secret) doc["client_secret"] = *created->value.secret;
  const auto described = operations::describe_client(client);
  for (const auto& [k, v] : described.items()) {
    if (k != "client_id") doc[k] = v;
  }
  if (created->warning) doc["warning"] = *created->warning;
  auto response = json_answer(201, doc);
  response.headers.set("Location", request.path + "/" + client.client_id);
  return response;
}

HttpResponse show(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto client = api.clients.show(request.path_param("client_id"));
  if (!client.ok()) return problem_for(client.error());
  return json_answer(200, operations::describe_client(*client));
}

HttpResponse update(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request,
                     {{"first_party", FieldType::Boolean}, {"may_introspect", FieldType::Boolean}})
  operations::ClientUpdate change;
  change.first_party = bool_field(body, "first_party");
  change.may_introspect = bool_field(body, "may_introspect");
  const std::string& id = request.path_param("client_id");
  if (auto refused = refused_change(id, caller, api)) return *refused;
  auto updated = api.clients.acting(admin_actor(request, caller)).update(id, change);
  if (!updated.ok()) return problem_for(updated.error());
  std::vector<std::string> changed;
  for (const auto& [k, v] : body.items()) changed.push_back(k);
  log_change(api, caller, "client.update", id, changed);
  auto doc = operations::describe_client(updated->value);
  if (updated->warning) doc["warning"] = *updated->warning;
  return json_answer(200, doc);
}

HttpResponse rotate_secret(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request, {}, /*empty_allowed=*/true)
  (void)body;
  const std::string& id = request.path_param("client_id");
  if (auto refused = refused_change(id, caller, api)) return *refused;
  auto rotated =
      api.clients.acting(admin_actor(request, caller)).rotate_secret(id, api.client_secret_key);
  if (!rotated.ok()) return problem_for(rotated.error());
  log_change(api, caller, "client.rotate_secret", id);
  ordered_json doc{{"client_id", id}, {"client_secret", rotated->value}};
  if (rotated->warning) doc["warning"] = *rotated->warning;
  return json_answer(200, doc);
}

HttpResponse remove(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  const std::string& id = request.path_param("client_id");
  if (auto refused = refused_change(id, caller, api)) return *refused;
  auto removed = api.clients.acting(admin_actor(request, caller)).remove(id);
  if (!removed.ok()) return problem_for(removed.error());
  log_change(api, caller, "client.delete", id);
  HttpResponse response;
  response.status = 204;
  response.headers.set("Cache-Control", "no-store");
  return response;
}

}  // namespace

void add_client_routes(http::Router& router, const std::shared_ptr<AdminApi>& api) {
  using http::Method;
  constexpr auto kPart = AdminPart::Clients;
  add_admin_route(router, api, Method::Get, "/clients", kPart, list);
  add_admin_route(router, api, Method::Post, "/clients", kPart, create);
  add_admin_route(router, api, Method::Get, "/clients/{client_id}", kPart, show);
  add_admin_route(router, api, Method::Patch, "/clients/{client_id}", kPart, update);
  add_admin_route(router, api, Method::Delete, "/clients/{client_id}", kPart, remove);
  add_admin_route(router, api, Method::Post, "/clients/{client_id}/secret", kPart, rotate_secret);
}

}  // namespace keyward::server::admin
