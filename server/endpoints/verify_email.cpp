#include "server/endpoints/verify_email.h"

#include "server/endpoints/account_pages.h"
#include "server/endpoints/browser_form.h"

namespace keyward::server {
namespace {

using Outcome = accounts::EmailVerification::Outcome;

http::HttpResponse dead_verification_link(const BrowserFlow& flow) {
  return dead_link_page(flow, "", "");
}

http::HttpResponse show_verify(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  const auto token = BrowserForm::read(request).field(browser_wire::kTokenField).value_or("");
  auto live = flow.verification.is_live(token);
  if (!live.ok())
    return account_failure_page(browser, request, "verification failed", live.error());
  if (!*live) return dead_verification_link(browser);
  return anonymous_form_page(browser, request, Page::Verify, 200,
                             {{"title", "Confirm your e-mail address"}, {"token", token}});
}

http::HttpResponse handle_verify(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  const auto form = BrowserForm::read(request);
  if (auto failure = anonymous_csrf_failure(browser, request, form)) return std::move(*failure);
  const auto token = form.field(browser_wire::kTokenField).value_or("");
  auto outcome = flow.verification.confirm(token);
  if (!outcome.ok()) {
    return account_failure_page(browser, request, "verification failed", outcome.error());
  }
  switch (*outcome) {
    case Outcome::Verified:
      browser.logger.info("e-mail verified", {{"request_id", request.request_id}});
      return notice_page(browser, 200,
                         Notice{"Your e-mail address is verified",
                                "Thank you. Applications you sign in to can now rely on it.",
                                "You can close this page.", "", "", false});
    case Outcome::AddressChanged:
      browser.logger.info("e-mail verification link for an old address used",
                          {{"request_id", request.request_id}});
      return notice_page(
          browser, 400,
          Notice{"This address is not your account's any more",
                 "The link was sent to an address your account no longer uses, "
                 "so nothing was verified.",
                 "Verify your current address from your account page.", "", "", true});
    case Outcome::NoLink:
      break;
  }
  return dead_verification_link(browser);
}

}  // namespace

void add_verify_email_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow) {
  const std::string path(browser_wire::kVerifyEmailPath);
  router.add(
      http::Method::Get, path,
      [flow](const http::HttpRequest& request) { return show_verify(request, *flow); },
      http::Execution::Worker);
  router.add(
      http::Method::Post, path,
      [flow](const http::HttpRequest& request) { return handle_verify(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
