#include "server/endpoints/reset.h"

#include "server/endpoints/account_pages.h"
#include "server/endpoints/browser_form.h"

namespace keyward::server {
namespace {

using Outcome = accounts::PasswordRecovery::Reset::Outcome;

http::HttpResponse dead_reset_link(const BrowserFlow& flow) {
  return dead_link_page(flow, std::string(browser_wire::kRecoverPath.substr(1)),
                        "Ask for a new link");
}

http::HttpResponse reset_page(const BrowserFlow& flow, const http::HttpRequest& request, int status,
                              const std::string& token, const std::string& username,
                              std::string_view error) {
  return anonymous_form_page(
      flow, request, Page::Reset, status,
      {{"title", "Choose a new password"},
       {"token", token},
       {"username", username},
       {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}});
}

http::HttpResponse show_reset(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  const auto token = BrowserForm::read(request).field(browser_wire::kTokenField).value_or("");
  auto user = flow.recovery.link_user(token);
  if (!user.ok())
    return account_failure_page(browser, request, "password reset failed", user.error());
  if (!*user) return dead_reset_link(browser);
  return reset_page(browser, request, 200, token, (*user)->username, "");
}

http::HttpResponse handle_reset(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  const auto form = BrowserForm::read(request);
  if (auto failure = anonymous_csrf_failure(browser, request, form)) return std::move(*failure);
  const auto token = form.field(browser_wire::kTokenField).value_or("");
  const auto password = form.field(browser_wire::kPasswordField).value_or("");
  auto reset = flow.recovery.reset(token, password);
  if (!reset.ok())
    return account_failure_page(browser, request, "password reset failed", reset.error());
  switch (reset->outcome) {
    case Outcome::Done:
      browser.logger.info("password reset", {{"request_id", request.request_id},
                                             {"user_id", reset->user_id},
                                             {"grants_revoked", reset->revoked.grants_revoked},
                                             {"sessions_ended", reset->revoked.sessions_ended}});
      browser.events.record(
          audit::Event{.type = audit::EventType::PasswordReset,
                       .user_id = reset->user_id,
                       .address = request.client_ip,
                       .request_id = request.request_id,
                       .detail = {{"grants_revoked", reset->revoked.grants_revoked},
                                  {"sessions_ended", reset->revoked.sessions_ended}}});
      return notice_page(browser, 200,
                         Notice{"Your password has been changed",
                                "You can now sign in from the application with your new password.",
                                "Every device that was signed in to your account has been "
                                "signed out.",
                                "", "", false});
    case Outcome::RefusedPassword: {
      auto user = flow.recovery.link_user(token);
      const std::string username = user.ok() && *user ? (*user)->username : "";
      return reset_page(browser, request, 400, token, username, reset->problem);
    }
    case Outcome::NoLink:
      break;
  }
  return dead_reset_link(browser);
}

}  // namespace

void add_reset_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow) {
  const std::string path(browser_wire::kResetPath);
  router.add(
      http::Method::Get, path,
      [flow](const http::HttpRequest& request) { return show_reset(request, *flow); },
      http::Execution::Worker);
  router.add(
      http::Method::Post, path,
      [flow](const http::HttpRequest& request) { return handle_reset(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
