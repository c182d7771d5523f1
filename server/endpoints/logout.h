#pragma once
// GET and POST /logout: RP-Initiated Logout 1.0 (the end_session_endpoint discovery
// lists). Parameters: id_token_hint, client_id, post_logout_redirect_uri, state; the
// first two rules below are grants/logout.h's, the rest is this endpoint's.
//   - id_token_hint must be an ID token we issued (expired ones too); client_id, when
//     both are given, must be its aud. Otherwise: a 400 page.
//   - post_logout_redirect_uri needs the client (from the hint or client_id) and must be
//     one of its registered post_logout_redirect_uris, exactly; otherwise a 400 page and
//     no redirect.
//   - The OP "MUST ask the End-User" when the hint is missing or names another user
//     (§2): then a confirmation page (templates/logout.html) posts back with a CSRF
//     token. With a hint naming the signed-in user, or once confirmed, the session ends:
//     its grants are revoked (except offline_access ones), its row deleted, its cookie
//     cleared; afterwards prompt=none answers login_required. The browser then goes to
//     post_logout_redirect_uri (with state), or sees a "signed out" page.
#include <memory>

#include "http/router.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

void add_logout_routes(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow);
[[nodiscard]] http::HttpResponse handle_logout(const http::HttpRequest& request,
                                               const BrowserFlow& flow);

}  // namespace keyward::server
