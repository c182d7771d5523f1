#include "server/endpoints/introspection.h"

#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {

http::HttpResponse handle_introspection_request(const http::HttpRequest& request,
                                                const IntrospectionEndpoint& endpoint) {
  return answer_client_token_request(
      request, endpoint.clients, endpoint.logger, TokenCallers::ConfidentialOnly,
      [&](std::string_view token,
          const grants::Client& client) -> grants::OAuthResult<http::HttpResponse> {
        auto result = endpoint.logic.introspect(token, client);
        if (!result.ok()) return err(result.error());
        auto response = http::HttpResponse::json(200, *result);
        add_no_store_headers(response);
        return response;
      });
}

void add_introspection_route(http::Router& router, IntrospectionEndpoint endpoint) {
  add_client_token_route(router, kIntrospectionPath, endpoint, &handle_introspection_request);
}

}  // namespace keyward::server
