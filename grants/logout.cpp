#include "grants/logout.h"

#include <algorithm>

#include "grants/client_storage_failure.h"
#include "grants/redirect_uri.h"

namespace keyward::grants {
namespace {

bool recognised(std::string_view name) {
  return std::find(std::begin(kLogoutParameters), std::end(kLogoutParameters), name) !=
         std::end(kLogoutParameters);
}

std::optional<std::string> get(const RawParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Err<LogoutError> refuse(std::string message) {
  return err(LogoutError{LogoutRefusal{std::move(message)}});
}

}  // namespace

RawParams LogoutRequest::redirect_params() const {
  RawParams out;
  if (state) out.emplace_back(wire::kState, *state);
  return out;
}

Result<LogoutRequest, LogoutError> check_logout_request(const RawParams& raw,
                                                        const IdTokenIssuer& id_tokens,
                                                        ClientLookup& clients) {
  LogoutRequest request;
  for (const auto& [name, value] : raw) {
    if (value.empty() || !recognised(name)) continue;
    if (get(request.params, name)) return refuse("A parameter is repeated.");
    request.params.emplace_back(name, value);
  }

  // The client: the hint's audience, or client_id; both must agree.
  std::optional<std::string> client_id = get(request.params, wire::kClientId);
  if (const auto hint = get(request.params, wire::kIdTokenHint)) {
    auto jwt = id_tokens.verify_hint(*hint);
    if (!jwt) return refuse("The id_token_hint is not an ID token Keyward issued.");
    const auto& aud = jwt->claims()[wire::kAud].get_ref<const std::string&>();
    if (client_id && *client_id != aud) {
      return refuse("client_id does not match the id_token_hint.");
    }
    client_id = aud;
    request.hinted_user = jwt->claims()[wire::kSub].get<std::string>();
  }
  if (client_id) {
    auto found = clients.find(*client_id);
    if (!found.ok()) return err(LogoutError{storage_failure(found.error(), "logout")});
    if (*found) request.client = (*found)->client;
  }

  request.post_logout_redirect_uri = get(request.params, wire::kPostLogoutRedirectUri);
  if (request.post_logout_redirect_uri) {
    if (!request.client) {
      return refuse("post_logout_redirect_uri needs id_token_hint or client_id.");
    }
    if (!redirect_uri_registered(*request.post_logout_redirect_uri,
                                 request.client->post_logout_redirect_uris)) {
      return refuse("post_logout_redirect_uri is not registered for this application.");
    }
  }
  request.state = get(request.params, wire::kState);
  return request;
}

}  // namespace keyward::grants
