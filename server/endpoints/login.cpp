#include "server/endpoints/login.h"

#include <algorithm>

#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/sign_in.h"

namespace keyward::server {
namespace {

constexpr std::string_view kWrongCredentials = "The username or password is incorrect.";

}  // namespace

http::HttpResponse handle_login(const http::HttpRequest& request, const BrowserFlow& flow) {
  // CSRF first: nothing of a forged form is looked at, not even its request.
  const auto fields = BrowserForm::read(request);
  auto form = read_login_form(request, fields, flow);
  if (!form.ok()) return std::move(form).error();
  const std::string& csrf_secret = form->csrf_secret;
  const grants::AuthorizationRequest& r = form->request;

  const auto username = fields.field(browser_wire::kUsernameField);
  const auto password = fields.field(browser_wire::kPasswordField);
  if (!username || username->empty() || !password || password->empty()) {
    return login_page(flow, r, csrf_secret, 400, username.value_or(""),
                      "Enter your username and password.");
  }

  auto user = flow.user_auth.authenticate(*username, *password, request.client_ip);
  if (!user.ok()) {
    const auto& e = user.error();
    if (e.retry_after) {
      const long long wait = std::max<long long>(1, e.retry_after->count());
      auto page = login_page(flow, r, csrf_secret, 429, *username,
                             "Too many failed attempts. Try again in " + std::to_string(wait) +
                                 (wait == 1 ? " second." : " seconds."));
      page.headers.set("Retry-After", std::to_string(wait));
      return page;
    }
    if (e.code == grants::ErrorCode::InvalidGrant) {
      if (!e.log_detail.empty()) {
        flow.logger.info("sign-in failed", {{"request_id", request.request_id},
                                            {"client_id", r.client.id},
                                            {"detail", e.log_detail}});
      }
      return login_page(flow, r, csrf_secret, 200, *username, kWrongCredentials);
    }
    return oauth_error_page(flow, request, e);
  }

  auto response =
      sign_in_and_redirect(request, flow, form->session, user->id,
                           with_query(std::string(browser_wire::kAuthorizePath).substr(1),
                                      grants::Authorizer::params_after_login(r)));
  response.log_client_id = r.client.id;
  return response;
}

void add_login_route(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow) {
  router.add(
      http::Method::Post, std::string(browser_wire::kLoginPath),
      [flow](const http::HttpRequest& request) { return handle_login(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
