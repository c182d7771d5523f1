// /admin/v1/registration-tokens: the initial access tokens of dynamic client registration
// (RFC 7591 §3), through operations::RegistrationTokenOperations like `keyward
// registration-token`. In the clients part: a token registers clients.
#include "server/admin/registration_token_routes.h"

#include <limits>

#include "server/admin/admin_route.h"

namespace keyward::server::admin {

namespace {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::ordered_json;

HttpResponse list(const HttpRequest& request, const AdminCaller&, AdminApi& api) {
  if (!request.query.empty()) {
    return problem(400, "invalid-request", "this list takes no query parameters");
  }
  auto tokens = api.registration_tokens.list();
  if (!tokens.ok()) return problem_for(tokens.error());
  auto items = ordered_json::array();
  for (const auto& t : *tokens) items.push_back(operations::describe_registration_token(t));
  return json_answer(200, ordered_json{{"items", std::move(items)}});
}

HttpResponse create(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  KEYWARD_ADMIN_BODY(body, request,
                     {{"expires_in", FieldType::Integer}, {"max_uses", FieldType::Integer}},
                     /*empty_allowed=*/true)
  grants::RegistrationTokenLimits limits;
  std::vector<FieldProblem> problems;
  if (auto seconds = integer_field(body, "expires_in")) {
    if (*seconds < 1 || *seconds > grants::kMaxRegistrationTokenLifetime.count()) {
      problems.push_back(
          {"expires_in", "must be 1 to " +
                             std::to_string(grants::kMaxRegistrationTokenLifetime.count()) +
                             " seconds"});
    } else {
      limits.expires_in = std::chrono::seconds(*seconds);
    }
  }
  if (auto uses = integer_field(body, "max_uses")) {
    if (*uses < 1 || *uses > grants::kMaxRegistrationTokenUses) {
      problems.push_back(
          {"max_uses", "must be 1 to " + std::to_string(grants::kMaxRegistrationTokenUses)});
    } else {
      limits.max_uses = static_cast<int>(*uses);
    }
  }
  if (!problems.empty()) {
    return problem(400, "invalid-request", "the token's limits are out of range", problems);
  }
  auto created = api.registration_tokens.create(limits);
  if (!created.ok()) return problem_for(created.error());
  log_change(api, caller, "registration_token.create", created->record.id);
  auto doc = operations::describe_registration_token(created->record);
  doc["token"] = created->token;
  auto response = json_answer(201, doc);
  response.headers.set("Location", request.path + "/" + created->record.id);
  return response;
}

HttpResponse revoke(const HttpRequest& request, const AdminCaller& caller, AdminApi& api) {
  const std::string& id = request.path_param("id");
  auto revoked = api.registration_tokens.revoke(id);
  if (!revoked.ok()) return problem_for(revoked.error());
  log_change(api, caller, "registration_token.revoke", id);
  HttpResponse response;
  response.status = 204;
  response.headers.set("Cache-Control", "no-store");
  return response;
}

}  // namespace

void add_registration_token_routes(http::Router& router, const std::shared_ptr<AdminApi>& api) {
  using http::Method;
  constexpr auto kPart = AdminPart::Clients;
  add_admin_route(router, api, Method::Get, "/registration-tokens", kPart, list);
  add_admin_route(router, api, Method::Post, "/registration-tokens", kPart, create);
  add_admin_route(router, api, Method::Delete, "/registration-tokens/{id}", kPart, revoke);
}

}  // namespace keyward::server::admin
