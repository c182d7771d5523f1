#include "server/endpoints/revocation.h"

#include "grants/wire.h"
#include "server/endpoints/oauth_error_writer.h"
#include "server/endpoints/token.h"

namespace keyward::server {

http::HttpResponse handle_revocation_request(const http::HttpRequest& request,
                                             const RevocationEndpoint& endpoint) {
  auto fail = [&](const grants::OAuthError& e) {
    return write_oauth_error(e, request, endpoint.logger);
  };
  auto form = read_oauth_form(request);
  if (!form.ok()) return fail(form.error());
  auto client = authenticate_client(request, *form, endpoint.clients);
  if (!client.ok()) return fail(client.error());
  http::HttpResponse response;
  const auto token = form->get(grants::wire::kToken);
  if (!token || token->empty()) {
    response = fail(grants::OAuthError::invalid_request("token is required"));
  } else if (auto revoked = endpoint.revocation.revoke(*token, *client); !revoked.ok()) {
    response = fail(revoked.error());
  } else {
    // RFC 7009 §2.2: "The content of the response body is ignored by the client".
    response.status = 200;
    add_no_store_headers(response);
  }
  response.log_client_id = client->id;
  return response;
}

void add_revocation_route(http::Router& router, RevocationEndpoint endpoint) {
  router.add(
      http::Method::Post, std::string(kRevocationPath),
      [endpoint](const http::HttpRequest& request) {
        return handle_revocation_request(request, endpoint);
      },
      http::Execution::Worker);
}

}  // namespace keyward::server
