#include "server/endpoints/federation_flow.h"

#include "grants/authorize.h"
#include "http/form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"
#include "server/endpoints/session_cookie.h"

namespace keyward::server {

namespace {
constexpr std::string_view kUp = "../";
}  // namespace

std::string provider_label(const FederationFlowContext& context, std::string_view provider) {
  if (auto upstream = context.providers.find(provider)) return upstream->settings().button_label;
  return std::string(provider);
}

http::HttpResponse federation_login_page(const FederationFlowContext& context,
                                         const http::HttpRequest& request,
                                         std::string_view return_params, int status,
                                         std::string_view message) {
  const BrowserFlow& flow = *context.browser;
  http::HttpResponse scratch;  // collects the pre-login cookie, when a new one is needed
  const std::string csrf = login_csrf_secret_for_page(request, flow.policy, scratch);
  http::HttpResponse page = [&] {
    if (return_params.empty()) {
      return account_login_page(flow, csrf, status, "", message, kUp);
    }
    auto validated = returning_request(flow, return_params);
    if (!validated.ok() || !*validated) {
      return error_page(flow, request, 400, "This sign-in request cannot be completed",
                        "The application's request is no longer valid. Go back to the "
                        "application and start again.");
    }
    return login_page(flow, **validated, csrf, status, "", message, kUp);
  }();
  for (const auto& cookie : scratch.headers.get_all("Set-Cookie")) {
    page.headers.add("Set-Cookie", std::string(cookie));
  }
  return page;
}

Result<std::optional<grants::AuthorizationRequest>, Unit> returning_request(
    const BrowserFlow& flow, std::string_view return_params) {
  if (return_params.empty()) return std::optional<grants::AuthorizationRequest>();
  auto decoded = http::parse_form_urlencoded(return_params);
  if (!decoded.ok()) return err(Unit{});
  grants::RawParams params;
  for (const auto& p : decoded->items()) params.emplace_back(p.name, p.value);
  auto validated = flow.authorizer.validate(params);
  if (!validated.ok()) return err(Unit{});
  return std::optional<grants::AuthorizationRequest>(std::move(validated).value());
}

std::string request_query(const grants::AuthorizationRequest& r) {
  return with_query("?", r.params).substr(1);
}

std::string after_login_query(const grants::AuthorizationRequest& r) {
  return with_query("?", grants::Authorizer::params_after_login(r)).substr(1);
}

std::string federation_next_location(std::string_view return_params) {
  if (return_params.empty()) return std::string(kUp) + "account";
  return std::string(kUp) + "authorize?" + std::string(return_params);
}

}  // namespace keyward::server
