#include "server/endpoints/login.h"

#include <algorithm>

#include "common/crypto.h"
#include "server/http/csrf.h"
#include "server/http/form.h"

namespace keyward::server {
namespace {

constexpr std::string_view kWrongCredentials = "The username or password is incorrect.";

}  // namespace

std::optional<std::string> form_field(const HttpRequest& request, std::string_view name) {
  auto form = parse_form_urlencoded(request.body);
  if (!form.ok() || form->count(name) != 1) return std::nullopt;
  return std::string(*form->get(name));
}

HttpResponse csrf_failure_page(const BrowserFlow& flow, const HttpRequest& request) {
  flow.logger.info("csrf check failed",
                   {{"request_id", request.request_id}, {"path", request.path}});
  return error_page(flow, request, 403, "This page has expired",
                    "For your security, this form can only be sent from the page Keyward "
                    "showed you, while your session lasts. Go back to the application and "
                    "start again.");
}

HttpResponse handle_login(const HttpRequest& request, const BrowserFlow& flow) {
  // CSRF first: nothing of a forged form is looked at, not even its request.
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

  const auto username = form_field(request, "username");
  const auto password = form_field(request, "password");
  if (!username || username->empty() || !password || password->empty()) {
    return login_page(flow, r, *session, 400, username.value_or(""),
                      "Enter your username and password.");
  }

  auto user = flow.user_auth.authenticate(*username, *password, request.client_ip);
  if (!user.ok()) {
    const auto& e = user.error();
    if (e.retry_after) {
      const long long wait = std::max<long long>(1, e.retry_after->count());
      auto page = login_page(flow, r, *session, 429, *username,
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
      return login_page(flow, r, *session, 200, *username, kWrongCredentials);
    }
    return oauth_error_page(flow, request, e);
  }

  // Session fixation: whoever knew the id of the session before sign-in (a cookie
  // planted by someone else) must not hold the signed-in one.
  const std::string id = random_token();
  const TimePoint now = flow.clock.now();
  auto signed_in = flow.sessions.sign_in(session->id_hash, sha256(id), user->id, now,
                                         now + flow.policy.lifetime);
  if (!signed_in.ok()) {
    flow.logger.error("sign-in failed to store the session",
                      {{"request_id", request.request_id}, {"detail", signed_in.error().message}});
    return oauth_error_page(flow, request,
                            grants::OAuthError::temporarily_unavailable(
                                "the service is busy, try again shortly", std::chrono::seconds(1)));
  }
  if (!*signed_in) return csrf_failure_page(flow, request);  // the session ended meanwhile

  auto response = redirect_to(
      with_query(std::string(kAuthorizePath).substr(1), grants::Authorizer::params_after_login(r)),
      303);
  set_session_cookie(response, flow.policy, id, flow.policy.lifetime);
  response.log_client_id = r.client.id;
  return response;
}

void add_login_route(Router& router, std::shared_ptr<const BrowserFlow> flow) {
  router.add(
      Method::Post, std::string(kLoginPath),
      [flow](const HttpRequest& request) { return handle_login(request, *flow); },
      Execution::Worker);
}

}  // namespace keyward::server
