#include "server/endpoints/browser_form.h"

#include <algorithm>

#include "http/content_type.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/csrf.h"

namespace keyward::server {

BrowserForm BrowserForm::read(const http::HttpRequest& request) {
  BrowserForm form;
  // The checks in the order their errors are reported: the query, the body's type, the body.
  form.error_ = request.query_error;
  if (request.method != http::Method::Post) {
    form.decoded_ = request.query;
    return form;
  }
  if (!form.error_ && !http::is_form_urlencoded(request.headers)) {
    form.error_ = "the form must be sent as application/x-www-form-urlencoded";
  }
  // Decoded whatever its Content-Type says: the CSRF check reads its token from it before
  // the type is looked at, so a forged form gets the same 403 whatever type it claims.
  auto decoded = http::parse_form_urlencoded(request.body);
  if (decoded.ok()) {
    form.decoded_ = std::move(decoded).value();
  } else if (!form.error_) {
    form.error_ = "the form is malformed: " + decoded.error().message;
  }
  return form;
}

std::optional<std::string> BrowserForm::field(std::string_view name) const {
  if (!decoded_ || decoded_->count(name) != 1) return std::nullopt;
  return std::string(*decoded_->get(name));
}

Result<grants::RawParams, std::string> BrowserForm::request_params() const {
  if (error_) return err(*error_);
  grants::RawParams out;
  for (const auto& p : decoded_->items()) {
    const auto& own = browser_wire::kOwnFields;
    if (std::find(std::begin(own), std::end(own), p.name) != std::end(own)) continue;
    out.emplace_back(p.name, p.value);
  }
  return out;
}

http::HttpResponse csrf_failure_page(const BrowserFlow& flow, const http::HttpRequest& request) {
  flow.logger.info("csrf check failed",
                   {{"request_id", request.request_id}, {"route", request.route}});
  return error_page(flow, request, 403, "This page has expired",
                    "For your security, this form can only be sent from the page Keyward "
                    "showed you, while your session lasts. Go back to the application and "
                    "start again.");
}

Result<grants::AuthorizationRequest, http::HttpResponse> validated_request(
    const http::HttpRequest& request, const BrowserForm& form, const BrowserFlow& flow) {
  auto params = form.request_params();
  if (!params.ok()) {
    return err(
        oauth_error_page(flow, request, grants::OAuthError::invalid_request(params.error())));
  }
  auto validated = flow.authorizer.validate(*params);
  if (!validated.ok()) return err(authorize_error(flow, request, validated.error()));
  return std::move(validated).value();
}

Result<AuthorizationForm, http::HttpResponse> read_authorization_form(
    const http::HttpRequest& request, const BrowserForm& form, const BrowserFlow& flow) {
  auto session = current_session(request, flow);
  const auto presented = form.field(browser_wire::kCsrfField);
  if (!session || !presented || !csrf_matches(session->csrf_secret, *presented)) {
    return err(csrf_failure_page(flow, request));
  }
  auto carried = validated_request(request, form, flow);
  if (!carried.ok()) return err(std::move(carried).error());
  return AuthorizationForm{std::move(*session), std::move(carried).value()};
}

Result<LoginForm, http::HttpResponse> read_login_form(const http::HttpRequest& request,
                                                      const BrowserForm& form,
                                                      const BrowserFlow& flow) {
  auto secret = login_csrf_secret(request, flow.policy);
  const auto presented = form.field(browser_wire::kCsrfField);
  if (!secret || !presented || !csrf_matches(*secret, *presented)) {
    return err(csrf_failure_page(flow, request));
  }
  if (const auto return_to = form.field(browser_wire::kReturnToField)) {
    if (*return_to != browser_wire::kReturnToAccount) {
      return err(error_page(flow, request, 400, "This sign-in request cannot be completed",
                            "The page to return to after signing in is not one Keyward knows."));
    }
    return LoginForm{std::move(*secret), current_session(request, flow), std::nullopt};
  }
  auto carried = validated_request(request, form, flow);
  if (!carried.ok()) return err(std::move(carried).error());
  return LoginForm{std::move(*secret), current_session(request, flow), std::move(carried).value()};
}

}  // namespace keyward::server
