#pragma once
// GET /federation/callback: where the upstream sends the browser back (the exact redirect
// URI registered there, {issuer}/federation/callback). In order:
//   1. The flow is consumed by SHA-256(state), single use, and only by the browser whose
//      binding cookie it holds: an unknown, used, expired or other browser's state is
//      refused ("That sign-in attempt expired or was already used. Start again."), and
//      nothing changes: not even this browser's binding cookie, which is cleared only once
//      its flow is used up (or found expired).
//   2. federation::Upstream::finish checks the response, exchanges the code (with the
//      code_verifier) and verifies the ID token (with the nonce). A cancellation or a
//      failure upstream re-renders the login page of the original request with a clear
//      message, logged with the request id; never a 500.
//   3. accounts::FederatedSignIn decides: sign in (amr "fed", auth_time now) and go back to
//      /authorize (or /account), show the link confirmation (/federation/link), or refuse
//      with a message on the login page.
#include <memory>

#include "http/router.h"
#include "server/endpoints/federation_flow.h"

namespace keyward::server {

void add_federation_callback_route(http::Router& router,
                                   const std::shared_ptr<const FederationFlowContext>& context);

}  // namespace keyward::server
