#include "server/endpoints/token.h"

#include <algorithm>

#include "grants/wire.h"
#include "http/content_type.h"
#include "server/endpoints/client_auth_input.h"
#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {
namespace {

namespace wire = grants::wire;
using grants::OAuthError;

// A parameter name safe to echo in an error description.
bool is_plain_name(std::string_view name) {
  return !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  });
}

grants::OAuthResult<grants::GrantHandler*> find_grant(const http::FormParams& form,
                                                      const grants::GrantRegistry& registry) {
  const auto grant_type = form.get(wire::kGrantType);
  if (!grant_type || grant_type->empty()) {
    return err(OAuthError::invalid_request("grant_type is required"));
  }
  auto* handler = registry.find(*grant_type);
  if (handler == nullptr) {
    return err(OAuthError::unsupported_grant_type("this grant_type is not supported"));
  }
  return handler;
}

// Only the handler's parameters reach it; empty ones count as omitted (RFC 6749 §3.1).
grants::TokenRequest token_request(const http::HttpRequest& request, const http::FormParams& form,
                                   const grants::GrantHandler& handler) {
  grants::TokenRequest out;
  out.grant_type = std::string(handler.grant_type());
  for (auto name : handler.parameters()) {
    if (auto value = form.get(name); value && !value->empty()) {
      out.params.emplace(std::string(name), std::string(*value));
    }
  }
  out.meta.client_ip = request.client_ip;
  out.meta.request_id = request.request_id;
  return out;
}

http::HttpResponse token_response(const grants::TokenResponse& t) {
  nlohmann::json body = {
      {wire::kAccessToken, t.access_token},
      {wire::kTokenType, wire::kBearer},
      {wire::kExpiresIn, t.expires_in.count()},
      {wire::kScope, t.scope},
  };
  if (t.refresh_token) body[wire::kRefreshTokenParam] = *t.refresh_token;
  if (t.id_token) body[wire::kIdToken] = *t.id_token;
  auto response = http::HttpResponse::json(200, body);
  add_no_store_headers(response);
  return response;
}

// The facts of the answer, never its tokens.
void report_token_issued(audit::EventSink& events, const http::HttpRequest& request,
                         const grants::GrantHandler& grant, const grants::Client& client,
                         const grants::TokenResponse& issued) {
  audit::Event event;
  event.type = audit::EventType::TokenIssued;
  event.user_id = issued.user_id;
  event.client_id = client.id;
  event.address = request.client_ip;
  event.request_id = request.request_id;
  event.detail = {{"grant", grant.grant_type()},
                  {"scope", issued.scope},
                  {"refresh_token", issued.refresh_token.has_value()},
                  {"id_token", issued.id_token.has_value()}};
  events.record(std::move(event));
}

}  // namespace

grants::OAuthResult<http::FormParams> read_oauth_form(const http::HttpRequest& request) {
  // RFC 6749 §3.2 (and RFC 7009 §2.1, RFC 7662 §2.1): parameters come as a form body.
  if (!http::is_form_urlencoded(request.headers)) {
    return err(OAuthError::invalid_request("the body must be application/x-www-form-urlencoded"));
  }
  auto form = http::parse_form_urlencoded(request.body);
  if (!form.ok()) {
    return err(OAuthError::invalid_request("malformed form body: " + form.error().message));
  }
  // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than
  // once." RFC 8707 §2 lets `resource` repeat.
  for (const auto& name : form->repeated_names()) {
    if (name == wire::kResource) continue;
    return err(OAuthError::invalid_request(
        is_plain_name(name) ? "parameter " + name + " is repeated" : "a parameter is repeated"));
  }
  return std::move(form).value();
}

grants::OAuthResult<grants::Client> authenticate_client(const http::HttpRequest& request,
                                                        const http::FormParams& form,
                                                        grants::ClientAuthenticator& clients) {
  auto input = client_auth_input(request, form);
  if (!input.ok()) return err(std::move(input).error());
  // The route template (as logs and metrics name it), never the raw path as sent.
  return clients.authenticate(*input, grants::RequestMeta{request.client_ip, request.request_id},
                              request.route);
}

http::HttpResponse handle_token_request(const http::HttpRequest& request,
                                        const TokenEndpoint& endpoint) {
  auto fail = [&](const OAuthError& e) { return write_oauth_error(e, request, endpoint.logger); };
  auto form = read_oauth_form(request);
  if (!form.ok()) return fail(form.error());
  auto client = authenticate_client(request, *form, endpoint.clients);
  if (!client.ok()) return fail(client.error());
  auto handler = find_grant(*form, endpoint.grants);
  if (!handler.ok()) {
    auto response = fail(handler.error());
    response.log_client_id = client->id;
    return response;
  }
  grants::GrantHandler& grant = **handler;
  // RFC 6749 §5.2 unauthorized_client: "The authenticated client is not authorized to use
  // this authorization grant type."
  if (!client->allows_grant(grant.grant_type())) {
    auto response = fail(OAuthError::unauthorized_client(
        "this client may not use the " + std::string(grant.grant_type()) + " grant"));
    response.log_client_id = client->id;
    return response;
  }
  auto issued = grant.handle(token_request(request, *form, grant), *client);
  if (issued.ok()) report_token_issued(endpoint.events, request, grant, *client, *issued);
  auto response = issued.ok() ? token_response(*issued) : fail(issued.error());
  response.log_client_id = client->id;
  return response;
}

void add_token_route(http::Router& router, TokenEndpoint endpoint) {
  router.add(
      http::Method::Post, std::string(kTokenPath),
      [endpoint](const http::HttpRequest& request) {
        return handle_token_request(request, endpoint);
      },
      http::Execution::Worker);
}

}  // namespace keyward::server
