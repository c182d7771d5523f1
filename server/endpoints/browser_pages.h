#pragma once
// The pages the browser endpoints show, rendered from templates/: the login and consent
// pages, error pages, and the Content-Security-Policy widening a page's form needs to end
// in a redirect to the client.
#include <string_view>

#include "grants/authorization_request.h"
#include "grants/oauth_error.h"
#include "grants/scope.h"
#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

// An error page (never a redirect): status, a title and a message for people.
[[nodiscard]] http::HttpResponse error_page(const BrowserFlow& flow,
                                            const http::HttpRequest& request, int status,
                                            std::string_view title, std::string_view message);
// The page for an OAuthError that must not redirect (unverified client or redirect_uri,
// CSRF failures, storage failures), with the request id for 5xx.
[[nodiscard]] http::HttpResponse oauth_error_page(const BrowserFlow& flow,
                                                  const http::HttpRequest& request,
                                                  const grants::OAuthError& error);

// The login page for `r` (with `error` shown above the form when set); its CSRF token
// comes from `login_csrf_secret`. It shows a button per upstream provider
// (BrowserFlow::providers). `root` leads from the page's path to Keyward's root: "" for the
// pages at the root, "../" for those under /federation/ (the links are relative, since
// Keyward may be served under a path, and CSP's base-uri 'none' rules out <base>).
[[nodiscard]] http::HttpResponse login_page(const BrowserFlow& flow,
                                            const grants::AuthorizationRequest& r,
                                            std::string_view login_csrf_secret, int status,
                                            std::string_view username, std::string_view error,
                                            std::string_view root = "");
// The login page without a client, for the account page: it names no application and
// returns to /account (return_to=account) after sign-in.
[[nodiscard]] http::HttpResponse account_login_page(const BrowserFlow& flow,
                                                    std::string_view login_csrf_secret, int status,
                                                    std::string_view username,
                                                    std::string_view error,
                                                    std::string_view root = "");
// Each scope in plain words ({title, detail}), Keyward's own first, as the consent page
// shows them.
[[nodiscard]] nlohmann::json scope_views(const grants::ScopeSet& scope);
// The consent page: who is signed in, each scope in plain words, where the answer goes.
[[nodiscard]] http::HttpResponse consent_page(const BrowserFlow& flow,
                                              const grants::AuthorizationRequest& r,
                                              const storage::SessionRecord& session);

// The request a form carries, as the templates' hidden fields ({name, value} each).
[[nodiscard]] nlohmann::json hidden_fields(const grants::RawParams& params);

// CSP form-action 'self' only would make browsers (Chromium checks every redirect a form
// submission leads to) refuse the final redirect to the client: a page whose form ends
// there allows that one origin (scheme://host[:port] of `uri`) too.
void allow_form_redirect(http::HttpResponse& response, std::string_view uri);

}  // namespace keyward::server
