#include "server/endpoints/browser_form.h"

#include "http/form.h"
#include "server/endpoints/csrf.h"

namespace keyward::server {

std::optional<std::string> form_field(const http::HttpRequest& request, std::string_view name) {
  auto form = http::parse_form_urlencoded(request.body);
  if (!form.ok() || form->count(name) != 1) return std::nullopt;
  return std::string(*form->get(name));
}

http::HttpResponse csrf_failure_page(const BrowserFlow& flow, const http::HttpRequest& request) {
  flow.logger.info("csrf check failed",
                   {{"request_id", request.request_id}, {"path", request.path}});
  return error_page(flow, request, 403, "This page has expired",
                    "For your security, this form can only be sent from the page Keyward "
                    "showed you, while your session lasts. Go back to the application and "
                    "start again.");
}

namespace {

// The authorization request a form carries, validated as /authorize does.
Result<grants::AuthorizationRequest, http::HttpResponse> carried_request(
    const http::HttpRequest& request, const BrowserFlow& flow) {
  auto params = browser_params(request);
  if (!params.ok()) {
    return err(
        oauth_error_page(flow, request, grants::OAuthError::invalid_request(params.error())));
  }
  auto validated = flow.authorizer.validate(*params);
  if (!validated.ok()) return err(authorize_error(flow, request, validated.error()));
  return std::move(validated).value();
}

}  // namespace

Result<AuthorizationForm, http::HttpResponse> read_authorization_form(
    const http::HttpRequest& request, const BrowserFlow& flow) {
  auto session = current_session(request, flow);
  const auto presented = form_field(request, kCsrfField);
  if (!session || !presented || !csrf_matches(session->csrf_secret, *presented)) {
    return err(csrf_failure_page(flow, request));
  }
  auto carried = carried_request(request, flow);
  if (!carried.ok()) return err(std::move(carried).error());
  return AuthorizationForm{std::move(*session), std::move(carried).value()};
}

Result<LoginForm, http::HttpResponse> read_login_form(const http::HttpRequest& request,
                                                      const BrowserFlow& flow) {
  auto secret = login_csrf_secret(request, flow.policy);
  const auto presented = form_field(request, kCsrfField);
  if (!secret || !presented || !csrf_matches(*secret, *presented)) {
    return err(csrf_failure_page(flow, request));
  }
  auto carried = carried_request(request, flow);
  if (!carried.ok()) return err(std::move(carried).error());
  return LoginForm{std::move(*secret), current_session(request, flow), std::move(carried).value()};
}

}  // namespace keyward::server
