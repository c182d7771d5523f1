#pragma once
// POST /token (RFC 6749 §3.2, §5): the stages every grant shares, in order, each a small
// function returning a Result (STYLE.md §7.2):
//   form body (application/x-www-form-urlencoded, strict decoding)
//   → no repeated parameter (RFC 6749 §3.2; RFC 8707 `resource` excepted): invalid_request
//   → client authentication (client_auth_input, ClientAuthenticator): invalid_client /
//     invalid_request
//   → grant_type present and registered: invalid_request / unsupported_grant_type
//   → the client may use it: unauthorized_client
//   → the grant's handler → RFC 6749 §5.1 JSON with Cache-Control: no-store.
// Runs on the worker pool: client lookups, grants and Argon2 may block. Errors go through
// the one writer (server/endpoints/oauth_error_writer.h).
#include "audit/event.h"
#include "common/log.h"
#include "grants/client.h"
#include "grants/client_auth.h"
#include "grants/grant_registry.h"
#include "grants/oauth_error.h"
#include "http/form.h"
#include "http/router.h"

namespace keyward::server {

inline constexpr std::string_view kTokenPath = "/token";

struct TokenEndpoint {
  grants::ClientAuthenticator& clients;
  const grants::GrantRegistry& grants;
  Logger& logger;
  audit::EventSink& events;  // token_issued for every token answer
};

void add_token_route(http::Router& router, TokenEndpoint endpoint);
[[nodiscard]] http::HttpResponse handle_token_request(const http::HttpRequest& request,
                                                      const TokenEndpoint& endpoint);

// Stages shared with /introspect and /revoke.

// The body as a form: Content-Type application/x-www-form-urlencoded (parameters such as
// charset allowed), strictly decoded, no parameter given twice. invalid_request otherwise.
[[nodiscard]] grants::OAuthResult<http::FormParams> read_oauth_form(
    const http::HttpRequest& request);

// RFC 6749 §2.3 through client_auth_input and the authenticator; a failure is audited with
// `endpoint` the matched route (/token, /introspect, /revoke). Used by all three.
[[nodiscard]] grants::OAuthResult<grants::Client> authenticate_client(
    const http::HttpRequest& request, const http::FormParams& form,
    grants::ClientAuthenticator& clients);

}  // namespace keyward::server
