// /admin/v1/users: list and search (paged), create, read, update the profile, delete,
// disable/enable, set the password, verify the e-mail, revoke every grant and session,
// list and end sessions, list and revoke consents; through operations::UserOperations,
// like `keyward user`. Users are named by id (the OIDC sub): usernames can be renamed
// away from under a URL, ids cannot.
#include "server/admin/user_routes.h"

#include "server/admin/admin_route.h"

namespace keyward::server::admin {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::ordered_json;
using operations::UserRef;

UserRef user_of(const HttpRequest& request) {
  return UserRef::id(request.path_param("user_id"));
}

HttpResponse user_answer(const operations::UserWithRevocation& changed) {
  auto doc = operations::describe_user(changed.user);
  if (changed.revoked) doc["revoked"] = operations::describe_revocation(*changed.revoked);
  return json_answer(200, doc);
}

HttpResponse no_content() {
  HttpResponse response;
  response.status = 204;
  response.headers.set("Cache-Control", "no-store");
  return response;
}

HttpResponse list(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto read = read_list_query(request, {"search"});
  if (auto* refused = std::get_if<HttpResponse>(&read)) return *refused;
  const auto& query = std::get<ListQuery>(read);
  operations::UserFilter filter;
  if (auto it = query.filters.find("search"); it != query.filters.end()) filter.search = it->second;
  auto page = api.users.list_page(filter, query.page);
  if (!page.ok()) return problem_for(page.error());
  return page_answer(request, *page, query, operations::describe_user);
}

HttpResponse create(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request,
                     {{"username", FieldType::String, true},
                      {"password", FieldType::String, true},
                      {"email", FieldType::String},
                      {"given_name", FieldType::String},
                      {"family_name", FieldType::String}})
  operations::NewUserInput user;
  user.username = *string_field(body, "username");
  user.email = string_field(body, "email");
  user.given_name = string_field(body, "given_name");
  user.family_name = string_field(body, "family_name");
  auto created =
      api.users.acting(admin_actor(request, caller)).create(user, *string_field(body, "password"));
  if (!created.ok()) return problem_for(created.error());
  log_change(api, caller, "user.create", created->id);
  auto response = json_answer(201, operations::describe_user(*created));
  response.headers.set("Location", request.path + "/" + created->id);
  return response;
}

HttpResponse show(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto user = api.users.show(user_of(request));
  if (!user.ok()) return problem_for(user.error());
  return json_answer(200, operations::describe_user(*user));
}

HttpResponse update(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request,
                     {{"email", FieldType::NullableString},
                      {"given_name", FieldType::NullableString},
                      {"family_name", FieldType::NullableString}})
  operations::UserProfileChange change;
  // null clears the field (JSON merge patch, RFC 7396); the operations take "" for that.
  const auto field = [&](std::string_view name) -> std::optional<std::string> {
    const auto it = body.find(name);
    if (it == body.end()) return std::nullopt;
    return it->is_null() ? std::string() : it->get<std::string>();
  };
  change.email = field("email");
  change.given_name = field("given_name");
  change.family_name = field("family_name");
  auto updated =
      api.users.acting(admin_actor(request, caller)).update_profile(user_of(request), change);
  if (!updated.ok()) return problem_for(updated.error());
  std::vector<std::string> changed;
  for (const auto& [k, v] : body.items()) changed.push_back(k);
  log_change(api, caller, "user.update", updated->id, changed);
  return json_answer(200, operations::describe_user(*updated));
}

HttpResponse remove(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  const auto user = user_of(request);
  auto removed = api.users.acting(admin_actor(request, caller)).remove(user, api.clock.now());
  if (!removed.ok()) return problem_for(removed.error());
  log_change(api, caller, "user.delete", user.value);
  return no_content();
}

HttpResponse set_disabled(const HttpRequest& request, const AdminCaller& caller, AdminApi& api,
                          bool disabled) {
  KEYWARD_ADMIN_BODY(body, request, {}, /*empty_allowed=*/true)
  (void)body;
  const auto user = user_of(request);
  auto changed =
      api.users.acting(admin_actor(request, caller)).set_disabled(user, disabled, api.clock.now());
  if (!changed.ok()) return problem_for(changed.error());
  log_change(api, caller, disabled ? "user.disable" : "user.enable", user.value);
  return user_answer(*changed);
}

HttpResponse set_password(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request, {{"password", FieldType::String, true}})
  const auto user = user_of(request);
  auto changed = api.users.acting(admin_actor(request, caller))
                     .set_password(user, *string_field(body, "password"), api.clock.now());
  if (!changed.ok()) return problem_for(changed.error());
  log_change(api, caller, "user.set_password", user.value);
  return user_answer(*changed);
}

HttpResponse verify_email(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request, {}, /*empty_allowed=*/true)
  (void)body;
  const auto user = user_of(request);
  auto verified = api.users.acting(admin_actor(request, caller)).verify_email(user);
  if (!verified.ok()) return problem_for(verified.error());
  log_change(api, caller, "user.verify_email", user.value);
  return json_answer(200, operations::describe_user(*verified));
}

HttpResponse revoke(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request, {}, /*empty_allowed=*/true)
  (void)body;
  const auto user = user_of(request);
  auto changed = api.users.revoke(user, api.clock.now());
  if (!changed.ok()) return problem_for(changed.error());
  log_change(api, caller, "user.revoke", user.value);
  return user_answer(*changed);
}

HttpResponse sessions(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto listed = api.users.sessions(user_of(request), api.clock.now());
  if (!listed.ok()) return problem_for(listed.error());
  auto items = ordered_json::array();
  for (const auto& s : *listed) items.push_back(operations::describe_session(s));
  return json_answer(200, ordered_json{{"items", std::move(items)}});
}

HttpResponse end_sessions(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  const auto user = user_of(request);
  auto ended = api.users.end_sessions(user, api.clock.now());
  if (!ended.ok()) return problem_for(ended.error());
  log_change(api, caller, "user.end_sessions", user.value);
  return json_answer(200, ordered_json{{"sessions_ended", *ended}});
}

HttpResponse consents(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  auto listed = api.users.consents(user_of(request), api.clock.now());
  if (!listed.ok()) return problem_for(listed.error());
  auto items = ordered_json::array();
  for (const auto& a : *listed) {
    items.push_back({{"client_id", a.client_id},
                     {"client_name", a.client_name},
                     {"scopes", a.scopes},
                     {"consented", a.consented},
                     {"live_grants", a.live_grants}});
  }
  return json_answer(200, ordered_json{{"items", std::move(items)}});
}

HttpResponse revoke_consent(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  const auto user = user_of(request);
  const std::string& client_id = request.path_param("client_id");
  auto revoked = api.users.acting(admin_actor(request, caller))
                     .revoke_consent(user, client_id, api.clock.now());
  if (!revoked.ok()) return problem_for(revoked.error());
  log_change(api, caller, "user.revoke_consent", user.value + " " + client_id);
  return no_content();
}

}  // namespace

void add_user_routes(http::Router& router, const std::shared_ptr<AdminApi>& api) {
  using http::Method;
  constexpr auto kPart = AdminPart::Users;
  const auto action = [](bool disabled) {
    return [disabled](const HttpRequest& r, const AdminCaller& c, AdminApi& a) {
      return set_disabled(r, c, a, disabled);
    };
  };
  add_admin_route(router, api, Method::Get, "/users", kPart, list);
  add_admin_route(router, api, Method::Post, "/users", kPart, create);
  add_admin_route(router, api, Method::Get, "/users/{user_id}", kPart, show);
  add_admin_route(router, api, Method::Patch, "/users/{user_id}", kPart, update);
  add_admin_route(router, api, Method::Delete, "/users/{user_id}", kPart, remove);
  add_admin_route(router, api, Method::Post, "/users/{user_id}/disable", kPart, action(true));
  add_admin_route(router, api, Method::Post, "/users/{user_id}/enable", kPart, action(false));
  add_admin_route(router, api, Method::Post, "/users/{user_id}/password", kPart, set_password);
  add_admin_route(router, api, Method::Post, "/users/{user_id}/verify-email", kPart, verify_email);
  add_admin_route(router, api, Method::Post, "/users/{user_id}/revoke", kPart, revoke);
  add_admin_route(router, api, Method::Get, "/users/{user_id}/sessions", kPart, sessions);
  add_admin_route(router, api, Method::Delete, "/users/{user_id}/sessions", kPart, end_sessions);
  add_admin_route(router, api, Method::Get, "/users/{user_id}/consents", kPart, consents);
  add_admin_route(router, api, Method::Delete, "/users/{user_id}/consents/{client_id}", kPart,
                  revoke_consent);
}

}  // namespace keyward::server::admin
