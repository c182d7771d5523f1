#include "server/endpoints/consent.h"

#include "server/endpoints/authorize.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"

namespace keyward::server {

http::HttpResponse handle_consent(const http::HttpRequest& request, const BrowserFlow& flow) {
  const auto fields = BrowserForm::read(request);
  auto form = read_authorization_form(request, fields, flow);
  if (!form.ok()) return std::move(form).error();
  const auto& session = form->session;
  const grants::AuthorizationRequest& r = form->request;
  // Signed out (another tab, an idle timeout) between the page and the answer: start
  // over, which shows the login page.
  if (!session.user_id || !session.auth_time) {
    return continue_authorization(flow, request, r, session);
  }

  const auto decision = fields.field(browser_wire::kDecisionField);
  if (decision == browser_wire::kDeny) {
    auto response = authorize_error(flow, request, flow.authorizer.denied(r));
    response.log_client_id = r.client.id;
    return response;
  }
  if (decision != browser_wire::kAllow) {
    return error_page(flow, request, 400, "This sign-in request cannot be completed",
                      "The form did not say whether you allow or deny the request.");
  }
  if (auto remembered = flow.authorizer.remember_consent(r, *session.user_id); !remembered.ok()) {
    return authorize_error(flow, request, remembered.error());
  }
  // Given here, on the page; a remembered consent at /authorize is not given again.
  flow.events.record(audit::Event{.type = audit::EventType::ConsentGiven,
                                  .user_id = *session.user_id,
                                  .client_id = r.client.id,
                                  .address = request.client_ip,
                                  .request_id = request.request_id,
                                  .detail = {{"scope", grants::format_scope(r.scope)}}});
  auto issued = flow.authorizer.issue_code(
      r, grants::SignedIn{*session.user_id, *session.auth_time, session.id_hash, session.amr});
  if (!issued.ok()) return authorize_error(flow, request, issued.error());
  auto response = redirect_to(with_query(issued->redirect_uri, issued->params), 303);
  response.log_client_id = r.client.id;
  return response;
}

void add_consent_route(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow) {
  router.add(
      http::Method::Post, std::string(browser_wire::kConsentPath),
      [flow](const http::HttpRequest& request) { return handle_consent(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
