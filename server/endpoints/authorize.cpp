#include "server/endpoints/authorize.h"

#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"

namespace keyward::server {

http::HttpResponse continue_authorization(const BrowserFlow& flow, const http::HttpRequest& request,
                                          const grants::AuthorizationRequest& r,
                                          const std::optional<storage::SessionRecord>& s) {
  std::optional<grants::SignedIn> signed_in;
  if (s && s->user_id && s->auth_time) {
    signed_in = grants::SignedIn{*s->user_id, *s->auth_time, s->id_hash, s->amr};
  }
  auto step = flow.authorizer.next_step(r, signed_in);
  if (!step.ok()) return authorize_error(flow, request, step.error());
  switch (*step) {
    case grants::NextStep::Login: {
      http::HttpResponse cookies;
      const auto secret = login_csrf_secret_for_page(request, flow.policy, cookies);
      auto page = login_page(flow, r, secret, 200, r.login_hint.value_or(""), "");
      for (const auto& cookie : cookies.headers.get_all("Set-Cookie")) {
        page.headers.add("Set-Cookie", std::string(cookie));
      }
      return page;
    }
    case grants::NextStep::Consent:
      return consent_page(flow, r, *s);
    case grants::NextStep::IssueCode:
      break;
  }
  auto issued = flow.authorizer.issue_code(r, *signed_in);
  if (!issued.ok()) return authorize_error(flow, request, issued.error());
  auto response =
      redirect_to(with_query(issued->redirect_uri, issued->params), redirect_status(request));
  response.log_client_id = r.client.id;
  return response;
}

http::HttpResponse handle_authorize(const http::HttpRequest& request, const BrowserFlow& flow) {
  auto validated = validated_request(request, BrowserForm::read(request), flow);
  if (!validated.ok()) return std::move(validated).error();
  return continue_authorization(flow, request, *validated, current_session(request, flow));
}

void add_authorize_routes(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow) {
  for (http::Method method : {http::Method::Get, http::Method::Post}) {
    router.add(
        method, std::string(browser_wire::kAuthorizePath),
        [flow](const http::HttpRequest& request) { return handle_authorize(request, *flow); },
        http::Execution::Worker, http::QueryErrors::ToHandler);
  }
  router.add(http::Method::Get, std::string(browser_wire::kStylesheetPath),
             [flow](const http::HttpRequest&) {
               http::HttpResponse r;
               r.headers.set("Content-Type", "text/css; charset=utf-8");
               r.headers.set("Cache-Control", "public, max-age=3600");
               r.body = flow->templates->stylesheet();
               return r;
             });
}

}  // namespace keyward::server
