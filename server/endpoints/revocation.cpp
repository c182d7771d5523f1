#include "server/endpoints/revocation.h"

#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {

http::HttpResponse handle_revocation_request(const http::HttpRequest& request,
                                             const RevocationEndpoint& endpoint) {
  return answer_client_token_request(
      request, endpoint.clients, endpoint.logger, TokenCallers::AnyClient,
      [&](std::string_view token,
          const grants::Client& client) -> grants::OAuthResult<http::HttpResponse> {
        auto revoked = endpoint.logic.revoke(token, client);
        if (!revoked.ok()) return err(revoked.error());
        // RFC 7009 §2.2: "The content of the response body is ignored by the client".
        http::HttpResponse response;
        response.status = 200;
        add_no_store_headers(response);
        return response;
      });
}

void add_revocation_route(http::Router& router, RevocationEndpoint endpoint) {
  add_client_token_route(router, kRevocationPath, endpoint, &handle_revocation_request);
}

}  // namespace keyward::server
