// RFC 7592: read, update and delete a dynamically registered client at its
// registration_client_uri, with its registration access token.
#include "grants/identifier.h"
#include "server/endpoints/registration.h"

namespace keyward::server {

http::HttpResponse handle_registration_management(const http::HttpRequest& request,
                                                  const RegistrationEndpoint& endpoint) {
  const auto presented = registration_http::bearer_token(request);
  if (presented.error) {
    return registration_http::error(*presented.error, request, endpoint.logger, true);
  }
  if (!presented.token) {
    return registration_http::error(
        grants::OAuthError::invalid_token("the registration access token is required"), request,
        endpoint.logger, false);
  }
  // The router decoded the segment strictly; an id that could never have been registered
  // is answered as any wrong token is (no existence leak, no odd bytes in a query).
  const std::string client_id(request.path_param("client_id"));
  if (!grants::is_acceptable_identifier(client_id)) {
    return registration_http::error(grants::OAuthError::invalid_token(
                                        "the access token is missing, unknown, expired or used up"),
                                    request, endpoint.logger, true);
  }
  const auto& registration = endpoint.registration;
  switch (request.method) {
    case http::Method::Get: {
      auto found = registration.read(client_id, *presented.token);
      if (!found.ok())
        return registration_http::error(found.error(), request, endpoint.logger, true);
      return registration_http::answer(200, *found);
    }
    case http::Method::Put: {
      // The token first, so a caller without one learns nothing from the body's checks.
      auto current = registration.read(client_id, *presented.token);
      if (!current.ok()) {
        return registration_http::error(current.error(), request, endpoint.logger, true);
      }
      if (auto problem = registration_http::body_problem(request)) {
        return registration_http::error(*problem, request, endpoint.logger, true);
      }
      auto updated = registration.update(client_id, *presented.token, request.body);
      if (!updated.ok()) {
        return registration_http::error(updated.error(), request, endpoint.logger, true);
      }
      // The metadata members whose values changed; never the rotated token or a secret.
      auto fields = nlohmann::json::array();
      const auto secret = [](const std::string& name) {
        return name == "registration_access_token" || name == "client_secret";
      };
      for (const auto& [name, value] : updated->body.items()) {
        const auto before = current->body.find(name);
        if (!secret(name) && (before == current->body.end() || *before != value)) {
          fields.push_back(name);
        }
      }
      for (const auto& [name, value] : current->body.items()) {
        if (!secret(name) && !updated->body.contains(name)) fields.push_back(name);
      }
      registration_http::report(endpoint, request, audit::EventType::ClientChanged, client_id,
                                {{"fields", std::move(fields)}});
      return registration_http::answer(200, *updated);
    }
    case http::Method::Delete: {
      auto removed = registration.remove(client_id, *presented.token);
      if (!removed.ok()) {
        return registration_http::error(removed.error(), request, endpoint.logger, true);
      }
      registration_http::report(endpoint, request, audit::EventType::ClientDeleted, client_id);
      // RFC 7592 §2.3: 204 No Content.
      http::HttpResponse response;
      response.status = 204;
      response.headers.set("Cache-Control", "no-store");
      response.headers.set("Pragma", "no-cache");
      response.log_client_id = client_id;
      return response;
    }
    default:
      // The router answers the other methods with 405.
      return registration_http::error(grants::OAuthError::invalid_request("method not allowed"),
                                      request, endpoint.logger, false);
  }
}

}  // namespace keyward::server
