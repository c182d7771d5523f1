#include "server/endpoints/federation_start.h"

#include "common/crypto.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/session_cookie.h"

namespace keyward::server {
namespace {

http::HttpResponse handle_start(const http::HttpRequest& request,
                                const FederationFlowContext& context) {
  const BrowserFlow& flow = *context.browser;
  // CSRF first, then the request the form carries: exactly as POST /login.
  const auto fields = BrowserForm::read(request);
  auto form = read_login_form(request, fields, flow);
  if (!form.ok()) return std::move(form).error();
  const std::optional<grants::AuthorizationRequest>& r = form->request;
  auto page = [&](int status, std::string_view error) {
    return r ? login_page(flow, *r, form->csrf_secret, status, "", error)
             : account_login_page(flow, form->csrf_secret, status, "", error);
  };

  const auto name = fields.field(browser_wire::kProviderField);
  auto upstream = name ? context.providers.find(*name) : nullptr;
  if (!upstream) return page(400, "That way of signing in is not available. Sign in below.");
  const std::string& label = upstream->settings().button_label;

  // state, nonce and code_verifier: 256 bits each from the CSPRNG.
  const federation::FlowSecrets secrets = federation::FlowSecrets::generate();
  const TimePoint now = flow.clock.now();
  // prompt=login and max_age go upstream: its sign-in is the one this session records.
  federation::Freshness freshness;
  freshness.requested_at = now;
  if (r) {
    freshness.login = r->prompt.login;
    freshness.max_age = r->max_age;
  }
  auto target = upstream->authorization_url(secrets, freshness);
  if (!target.ok()) {
    flow.logger.warn("federation start failed", {{"request_id", request.request_id},
                                                 {"provider", upstream->settings().name},
                                                 {"detail", target.error().log_detail}});
    return page(503, label + " could not be reached. Try again.");
  }

  // The binding: only the browser holding this cookie can finish the flow.
  const std::string binding = random_token();
  storage::FederationFlow row;
  row.key_hash = sha256(secrets.state);
  row.purpose = storage::FlowPurpose::SignIn;
  row.browser_hash = sha256(binding);
  row.provider = upstream->settings().name;
  row.nonce = secrets.nonce;
  row.code_verifier = secrets.code_verifier;
  // All of the request's parameters: the callback checks the upstream's auth_time against
  // its prompt and max_age (and drops them only once that passed).
  row.return_params = r ? request_query(*r) : std::string();
  row.created_at = now;
  row.expires_at = now + kFederationFlowLifetime;
  auto stored = context.flows.create(row);
  if (!stored.ok()) {
    flow.logger.error("federation flow not stored",
                      {{"request_id", request.request_id}, {"detail", stored.error().message}});
    if (stored.error().code == storage::StorageErrorCode::CheckViolation) {
      return page(400, "This sign-in request is too long. Go back to the application.");
    }
    return oauth_error_page(flow, request,
                            grants::OAuthError::temporarily_unavailable(
                                "the service is busy, try again shortly", std::chrono::seconds(1)));
  }

  auto response = redirect_to(std::move(target).value(), 303);
  set_flow_cookie(response, flow.policy, flow.policy.federation_cookie_name, binding,
                  kFederationFlowLifetime);
  if (r) response.log_client_id = r->client.id;
  return response;
}

}  // namespace

void add_federation_start_route(http::Router& router,
                                const std::shared_ptr<const FederationFlowContext>& context) {
  router.add(
      http::Method::Post, std::string(browser_wire::kFederationStartPath),
      [context](const http::HttpRequest& request) { return handle_start(request, *context); },
      http::Execution::Worker);
}

}  // namespace keyward::server
