#pragma once
// GET/POST /federation/link: an upstream sign-in whose verified address belongs to a
// Keyward account links to it only once the account's Keyward password is entered
// (docs/accounts.md "Linked providers"). The callback keeps the pending link in a
// federation_flows row (purpose link, ten minutes) keyed by the SHA-256 of a random token
// that only this browser holds, in a cookie. The form's CSRF token is the login form's
// (pre-login cookie). The password is checked with grants::UserAuthenticator for that
// account, throttled as sign-in is; a wrong one keeps the pending link for another try and
// links nothing. The right one links the identity, uses the row up and signs the browser in
// with amr "fed" (the sign-in came through the upstream; the password only confirmed the
// link).
#include <memory>

#include "accounts/federated_sign_in.h"
#include "http/router.h"
#include "server/endpoints/federation_flow.h"
#include "storage/user_repository.h"

namespace keyward::server {

// Called by the callback: stores the pending link, sets its cookie and shows the page.
[[nodiscard]] http::HttpResponse start_link_confirmation(const FederationFlowContext& context,
                                                         const http::HttpRequest& request,
                                                         const accounts::UpstreamAccount& upstream,
                                                         const storage::UserRecord& user,
                                                         std::string_view return_params);

void add_federation_link_routes(http::Router& router,
                                const std::shared_ptr<const FederationFlowContext>& context);

}  // namespace keyward::server
