#include "server/endpoints/introspection.h"

#include "grants/wire.h"
#include "server/endpoints/oauth_error_writer.h"
#include "server/endpoints/token.h"

namespace keyward::server {

http::HttpResponse handle_introspection_request(const http::HttpRequest& request,
                                                const IntrospectionEndpoint& endpoint) {
  auto fail = [&](const grants::OAuthError& e) {
    return write_oauth_error(e, request, endpoint.logger);
  };
  auto form = read_oauth_form(request);
  if (!form.ok()) return fail(form.error());
  auto client = authenticate_client(request, *form, endpoint.clients);
  if (!client.ok()) return fail(client.error());
  if (!client->confidential) {
    auto response = fail(grants::OAuthError::invalid_client(
        "introspection requires client authentication", "public client " + client->id));
    response.log_client_id = client->id;
    return response;
  }
  const auto token = form->get(grants::wire::kToken);
  if (!token || token->empty()) {
    auto response = fail(grants::OAuthError::invalid_request("token is required"));
    response.log_client_id = client->id;
    return response;
  }
  auto result = endpoint.introspection.introspect(*token, *client);
  http::HttpResponse response;
  if (result.ok()) {
    response = http::HttpResponse::json(200, *result);
    add_no_store_headers(response);
  } else {
    response = fail(result.error());
  }
  response.log_client_id = client->id;
  return response;
}

void add_introspection_route(http::Router& router, IntrospectionEndpoint endpoint) {
  router.add(
      http::Method::Post, std::string(kIntrospectionPath),
      [endpoint](const http::HttpRequest& request) {
        return handle_introspection_request(request, endpoint);
      },
      http::Execution::Worker);
}

}  // namespace keyward::server
