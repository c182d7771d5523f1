#pragma once
// What the federation endpoints (/federation/start, /federation/callback, /federation/link)
// are built on: the browser flow's pages, sessions and cookies, the upstream providers, the
// flows under way, and the account rules of accounts/federated_sign_in.h. Every route runs
// on the worker pool (the upstream calls block, the link page hashes a password).
//
// The flow (docs/federation.md "How the flow works"): a provider button on the login page
// posts to /federation/start (CSRF-checked like /login, carrying the authorization request
// or return_to=account), which keeps state, nonce and code_verifier in a federation_flows
// row keyed by SHA-256(state) and bound to this browser by a cookie, and sends the browser
// upstream. The upstream sends it back to /federation/callback, where the row is consumed
// (single use, this browser only), the code exchanged and the ID token verified
// (federation::Upstream::finish), and accounts::FederatedSignIn decides who signs in.
#include <memory>
#include <string>
#include <string_view>

#include "accounts/federated_sign_in.h"
#include "common/result.h"
#include "federation/provider_registry.h"
#include "grants/authorization_request.h"
#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"
#include "storage/federation_flow_repository.h"

namespace keyward::server {

// Everything must outlive the routes.
struct FederationFlowContext {
  std::shared_ptr<const BrowserFlow> browser;
  federation::ProviderRegistry& providers;
  storage::FederationFlowRepository& flows;
  accounts::FederatedSignIn& accounts;
};

// How long an upstream flow and a pending link live (and their cookies).
inline constexpr std::chrono::seconds kFederationFlowLifetime{600};

// The provider's button label ("Google"), or its name when it is gone.
[[nodiscard]] std::string provider_label(const FederationFlowContext& context,
                                         std::string_view provider);

// The login page a federated sign-in returns to with `message`: for the authorization
// request whose parameters `return_params` holds (validated again: a client removed
// meanwhile gets its error page), or the account page's login page when it is empty.
// Rendered under /federation/, so its links lead up one level.
[[nodiscard]] http::HttpResponse federation_login_page(const FederationFlowContext& context,
                                                       const http::HttpRequest& request,
                                                       std::string_view return_params, int status,
                                                       std::string_view message);

// The authorization request a flow's `return_params` hold, validated again (a client or
// redirect URI removed meanwhile is an error); nullopt for "" (the account page).
[[nodiscard]] Result<std::optional<grants::AuthorizationRequest>, Unit> returning_request(
    const BrowserFlow& flow, std::string_view return_params);

// `r`'s parameters as a query string (without '?'): all of them for a flow's return_params
// (the callback needs its prompt and max_age), or those left once signed in
// (grants::Authorizer::params_after_login) for the redirect back to /authorize.
[[nodiscard]] std::string request_query(const grants::AuthorizationRequest& r);
[[nodiscard]] std::string after_login_query(const grants::AuthorizationRequest& r);

// Where the browser goes once signed in, relative to /federation/: /authorize with the
// request's parameters, or /account.
[[nodiscard]] std::string federation_next_location(std::string_view return_params);

}  // namespace keyward::server
