#pragma once
// GET and POST /authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2.1: both methods), and the
// step after a valid authorization request that /login and /consent share: the login
// page, the consent page, or the redirect with a code. browser_flow.h describes the flow.
#include <memory>
#include <optional>

#include "grants/authorization_request.h"
#include "http/router.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

// GET and POST /authorize, and GET /assets/keyward.css (the pages' stylesheet, from the
// reactor, cacheable).
void add_authorize_routes(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow);
[[nodiscard]] http::HttpResponse handle_authorize(const http::HttpRequest& request,
                                                  const BrowserFlow& flow);

// After the request is known to be valid: the next step for the browser's session `s`
// (login page, consent page, or the code redirect; 303 after a POST).
[[nodiscard]] http::HttpResponse continue_authorization(
    const BrowserFlow& flow, const http::HttpRequest& request,
    const grants::AuthorizationRequest& r, const std::optional<storage::SessionRecord>& s);

}  // namespace keyward::server
