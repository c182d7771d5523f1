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
  // nullopt: the account page's sign-in, for no client.
  const std::optional<grants::AuthorizationRequest>& r = form->request;
  const std::string client_id = r ? r->client.id : std::string();
  auto page = [&](int status, std::string_view username, std::string_view error) {
    return r ? login_page(flow, *r, csrf_secret, status, username, error)
             : account_login_page(flow, csrf_secret, status, username, error);
  };

  const auto username = fields.field(browser_wire::kUsernameField);
  const auto password = fields.field(browser_wire::kPasswordField);
  if (!username || username->empty() || !password || password->empty()) {
    return page(400, username.value_or(""), "Enter your username and password.");
  }

  auto user = flow.user_auth.sign_in(
      *username, *password,
      grants::SignInContext{client_id, request.client_ip, request.request_id});
  if (!user.ok()) {
    const auto& e = user.error();
    if (e.retry_after) {
      const long long wait = std::max<long long>(1, e.retry_after->count());
      auto throttled = page(429, *username,
                            "Too many failed attempts. Try again in " + std::to_string(wait) +
                                (wait == 1 ? " second." : " seconds."));
      throttled.headers.set("Retry-After", std::to_string(wait));
      return throttled;
    }
    if (e.code == grants::ErrorCode::InvalidGrant) {
      if (!e.log_detail.empty()) {
        flow.logger.info("sign-in failed", {{"request_id", request.request_id},
                                            {"client_id", client_id},
                                            {"detail", e.log_detail}});
      }
      return page(200, *username, kWrongCredentials);
    }
    return oauth_error_page(flow, request, e);
  }

  // Relative: Keyward may be served under a path (the issuer's).
  auto response =
      sign_in_and_redirect(request, flow, form->session, user->id,
                           r ? with_query(std::string(browser_wire::kAuthorizePath).substr(1),
                                          grants::Authorizer::params_after_login(*r))
                             : std::string(browser_wire::kReturnToAccount));
  if (r) response.log_client_id = client_id;
  return response;
}

void add_login_route(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow) {
  router.add(
      http::Method::Post, std::string(browser_wire::kLoginPath),
      [flow](const http::HttpRequest& request) { return handle_login(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
