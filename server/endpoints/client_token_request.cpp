#include "server/endpoints/client_token_request.h"

#include "grants/wire.h"
#include "server/endpoints/oauth_error_writer.h"
#include "server/endpoints/token.h"

namespace keyward::server {

http::HttpResponse answer_client_token_request(const http::HttpRequest& request,
                                               grants::ClientAuthenticator& clients, Logger& logger,
                                               TokenCallers callers, const TokenAnswer& answer) {
  auto fail = [&](const grants::OAuthError& e) { return write_oauth_error(e, request, logger); };
  auto form = read_oauth_form(request);
  if (!form.ok()) return fail(form.error());
  auto client = authenticate_client(request, *form, clients);
  if (!client.ok()) return fail(client.error());
  const auto answered = [&]() -> grants::OAuthResult<http::HttpResponse> {
    if (callers == TokenCallers::ConfidentialOnly && !client->confidential) {
      return err(grants::OAuthError::invalid_client("introspection requires client authentication",
                                                    "public client " + client->id));
    }
    const auto token = form->get(grants::wire::kToken);
    if (!token || token->empty()) {
      return err(grants::OAuthError::invalid_request("token is required"));
    }
    return answer(*token, *client);
  }();
  http::HttpResponse response = answered.ok() ? *answered : fail(answered.error());
  response.log_client_id = client->id;
  return response;
}

}  // namespace keyward::server
