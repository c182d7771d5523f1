#pragma once
// What /introspect (RFC 7662 §2.1) and /revoke (RFC 7009 §2.1) share: an authenticated
// client asks about one token. Form body → no repeated parameter → client authentication
// (server/endpoints/token.h) → for introspection, a confidential client (invalid_client
// 401 otherwise: a public client has nothing to authenticate with) → `token` required
// (invalid_request) → the endpoint's own answer. Every response names the caller's client
// id for the access log. Runs on the worker pool.
#include <functional>
#include <string_view>

#include "common/log.h"
#include "grants/client.h"
#include "grants/client_auth.h"
#include "grants/oauth_error.h"
#include "http/router.h"

namespace keyward::server {

// Who may ask.
enum class TokenCallers {
  AnyClient,         // public clients too, with client_id alone (RFC 7009 §2.1)
  ConfidentialOnly,  // RFC 7662 §2.1: the caller must authenticate
};

// The endpoint's pieces: the authenticator, the grants/ object that answers (`Logic`:
// grants::Introspection, grants::Revocation) and the logger.
template <class Logic>
struct ClientTokenEndpoint {
  grants::ClientAuthenticator& clients;
  Logic& logic;
  Logger& logger;
};

// The endpoint's own answer to `client` about `token` (a non-empty string).
using TokenAnswer = std::function<grants::OAuthResult<http::HttpResponse>(
    std::string_view token, const grants::Client& client)>;

[[nodiscard]] http::HttpResponse answer_client_token_request(const http::HttpRequest& request,
                                                             grants::ClientAuthenticator& clients,
                                                             Logger& logger, TokenCallers callers,
                                                             const TokenAnswer& answer);

// POST `path` on the worker pool, answered by `handle`.
template <class Logic>
void add_client_token_route(http::Router& router, std::string_view path,
                            ClientTokenEndpoint<Logic> endpoint,
                            http::HttpResponse (*handle)(const http::HttpRequest&,
                                                         const ClientTokenEndpoint<Logic>&)) {
  router.add(
      http::Method::Post, std::string(path),
      [endpoint, handle](const http::HttpRequest& request) { return handle(request, endpoint); },
      http::Execution::Worker);
}

}  // namespace keyward::server
