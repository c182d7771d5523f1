#include "server/endpoints/consent.h"

#include "server/endpoints/login.h"
#include "server/http/csrf.h"

namespace keyward::server {

HttpResponse handle_consent(const HttpRequest& request, const BrowserFlow& flow) {
  auto session = current_session(request, flow);
  const auto presented = form_field(request, kCsrfField);
  if (!session || !presented || !csrf_matches(session->csrf_secret, *presented)) {
    return csrf_failure_page(flow, request);
  }
  auto params = browser_params(request);
  if (!params.ok()) {
    return oauth_error_page(flow, request, grants::OAuthError::invalid_request(params.error()));
  }
  auto validated = flow.authorizer.validate(*params);
  if (!validated.ok()) return authorize_error(flow, request, validated.error());
  const grants::AuthorizationRequest& r = *validated;
  // Signed out (another tab, an idle timeout) between the page and the answer: start
  // over, which shows the login page.
  if (!session->user_id || !session->auth_time) {
    return continue_authorization(flow, request, r, session);
  }

  const auto decision = form_field(request, "decision");
  if (decision == "deny") {
    auto response = authorize_error(flow, request, flow.authorizer.denied(r));
    response.log_client_id = r.client.id;
    return response;
  }
  if (decision != "allow") {
    return error_page(flow, request, 400, "This sign-in request cannot be completed",
                      "The form did not say whether you allow or deny the request.");
  }
  if (auto remembered = flow.authorizer.remember_consent(r, *session->user_id); !remembered.ok()) {
    return authorize_error(flow, request, remembered.error());
  }
  auto issued = flow.authorizer.issue_code(
      r, grants::SignedIn{*session->user_id, *session->auth_time, session->id_hash});
  if (!issued.ok()) return authorize_error(flow, request, issued.error());
  auto response = redirect_to(with_query(issued->redirect_uri, issued->params), 303);
  response.log_client_id = r.client.id;
  return response;
}

void add_consent_route(Router& router, std::shared_ptr<const BrowserFlow> flow) {
  router.add(
      Method::Post, std::string(kConsentPath),
      [flow](const HttpRequest& request) { return handle_consent(request, *flow); },
      Execution::Worker);
}

}  // namespace keyward::server
