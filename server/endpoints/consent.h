#pragma once
// POST /consent: the consent form (templates/consent.html). The session must be signed
// in and the CSRF token match it (403 page otherwise); the authorization request in the
// hidden fields is validated again. decision=deny sends error=access_denied with state
// and iss to the client (RFC 6749 §4.1.2.1); decision=allow remembers the scopes for
// this user and client and sends the code (303).
#include <memory>

#include "http/router.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

void add_consent_route(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow);
[[nodiscard]] http::HttpResponse handle_consent(const http::HttpRequest& request,
                                                const BrowserFlow& flow);

}  // namespace keyward::server
