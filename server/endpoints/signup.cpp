#include "server/endpoints/signup.h"

#include "server/endpoints/account_pages.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/session_cookie.h"
#include "server/endpoints/sign_in.h"

namespace keyward::server {
namespace {

using accounts::SignupDetails;
using accounts::SignupField;
using json = nlohmann::json;

http::HttpResponse closed_page(const BrowserFlow& flow, const http::HttpRequest& request) {
  return error_page(flow, request, 404, "Page not found",
                    "This page does not exist. Go back to the application and try again.");
}

std::string_view field_key(SignupField field) {
  switch (field) {
    case SignupField::Username:
      return "username";
    case SignupField::Email:
      return "email";
    case SignupField::GivenName:
      return "given_name";
    case SignupField::FamilyName:
      return "family_name";
    case SignupField::Password:
      break;
  }
  return "password";
}

// The form, with what was typed (never the password) and the refusal, if any, on its
// field. The request the form carries is `r` (nullopt: none).
http::HttpResponse signup_page(const BrowserFlow& flow, const http::HttpRequest& request,
                               const std::optional<grants::AuthorizationRequest>& r, int status,
                               const SignupDetails& typed,
                               const std::optional<accounts::SignupRefusal>& refusal) {
  auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json view = {{"title", "Create an account"},
               {"username", or_null(typed.username)},
               {"email", or_null(typed.email)},
               {"given_name", or_null(typed.given_name)},
               {"family_name", or_null(typed.family_name)},
               {"params", r ? hidden_fields(r->params) : json::array()}};
  if (r) {
    view["client_name"] = r->client.name.empty() ? r->client.id : r->client.name;
    view["login_href"] = with_query(std::string(browser_wire::kAuthorizePath).substr(1), r->params);
  }
  if (refusal) {
    view["error"] = refusal->message;
    view["error_" + std::string(field_key(refusal->field))] = true;
  }
  auto page = anonymous_form_page(flow, request, Page::Signup, status, std::move(view));
  if (r) {
    allow_form_redirect(page, r->redirect_uri);
    page.log_client_id = r->client.id;
  }
  return page;
}

// The authorization request the page or form carries: nullopt when it carries none; the
// error page (or redirect) when it carries an invalid one.
Result<std::optional<grants::AuthorizationRequest>, http::HttpResponse> carried_request(
    const http::HttpRequest& request, const BrowserForm& form, const BrowserFlow& flow) {
  auto params = form.request_params();
  if (params.ok() && params->empty()) return std::optional<grants::AuthorizationRequest>();
  auto validated = validated_request(request, form, flow);
  if (!validated.ok()) return err(std::move(validated).error());
  return std::optional<grants::AuthorizationRequest>(std::move(validated).value());
}

http::HttpResponse show_signup(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  if (!browser.registration_open) return closed_page(browser, request);
  const auto form = BrowserForm::read(request);
  auto r = carried_request(request, form, browser);
  if (!r.ok()) return std::move(r).error();
  return signup_page(browser, request, *r, 200, SignupDetails{}, std::nullopt);
}

http::HttpResponse handle_signup(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  if (!browser.registration_open) return closed_page(browser, request);
  // CSRF first: nothing of a forged form is looked at.
  const auto form = BrowserForm::read(request);
  if (auto failure = anonymous_csrf_failure(browser, request, form)) return std::move(*failure);
  auto r = carried_request(request, form, browser);
  if (!r.ok()) return std::move(r).error();

  SignupDetails details{form.field(browser_wire::kUsernameField).value_or(""),
                        form.field(browser_wire::kEmailField).value_or(""),
                        form.field(browser_wire::kGivenNameField).value_or(""),
                        form.field(browser_wire::kFamilyNameField).value_or(""),
                        form.field(browser_wire::kPasswordField).value_or("")};
  auto registered = flow.registration.register_user(details, mail_requester(request));
  if (!registered.ok()) {
    return account_failure_page(browser, request, "sign-up failed", registered.error());
  }
  if (auto* refusal = std::get_if<accounts::SignupRefusal>(&*registered)) {
    details.password.clear();
    return signup_page(browser, request, *r, 400, details, *refusal);
  }
  const auto& done = std::get<accounts::Registration::Registered>(*registered);
  browser.logger.info("account created", {{"request_id", request.request_id},
                                          {"user_id", done.user.id},
                                          {"client_id", *r ? (*r)->client.id : ""}});
  browser.events.record(audit::Event{.type = audit::EventType::UserCreated,
                                     .user_id = done.user.id,
                                     .client_id = *r ? (*r)->client.id : std::string(),
                                     .address = request.client_ip,
                                     .request_id = request.request_id,
                                     .detail = {{"method", "signup"}}});
  if (done.mail_error) {
    browser.logger.error("verification mail not queued", {{"request_id", request.request_id},
                                                          {"user_id", done.user.id},
                                                          {"detail", *done.mail_error}});
  }
  std::string next = *r ? with_query(std::string(browser_wire::kAuthorizePath).substr(1),
                                     grants::Authorizer::params_after_login(**r))
                        : std::string(browser_wire::kAccountPath.substr(1));
  auto response = sign_in_and_redirect(request, browser, current_session(request, browser),
                                       done.user.id, std::move(next));
  if (*r) response.log_client_id = (*r)->client.id;
  return response;
}

}  // namespace

void add_signup_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow) {
  const std::string path(browser_wire::kSignupPath);
  router.add(
      http::Method::Get, path,
      [flow](const http::HttpRequest& request) { return show_signup(request, *flow); },
      http::Execution::Worker);
  router.add(
      http::Method::Post, path,
      [flow](const http::HttpRequest& request) { return handle_signup(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
