#pragma once
// POST /federation/start: a provider button of the login page (templates/login.html). The
// form is checked as POST /login checks it (CSRF against the pre-login cookie, then the
// authorization request it carries, or return_to=account); then state, nonce and a PKCE
// code_verifier are made (federation::FlowSecrets), kept in a federation_flows row keyed
// by SHA-256(state) for ten minutes, bound to this browser by a new cookie whose SHA-256
// the row holds, and the browser is sent (303) to the upstream's authorization endpoint.
// An unknown provider, or an upstream whose discovery fails, re-renders the login page
// with a message.
#include <memory>

#include "http/router.h"
#include "server/endpoints/federation_flow.h"

namespace keyward::server {

void add_federation_start_route(http::Router& router,
                                const std::shared_ptr<const FederationFlowContext>& context);

}  // namespace keyward::server
