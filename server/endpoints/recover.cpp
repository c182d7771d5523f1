#include "server/endpoints/recover.h"

#include "grants/identifier.h"
#include "server/endpoints/account_pages.h"
#include "server/endpoints/browser_form.h"

namespace keyward::server {
namespace {

http::HttpResponse recover_page(const BrowserFlow& flow, const http::HttpRequest& request,
                                int status, std::string_view account, std::string_view error) {
  return anonymous_form_page(
      flow, request, Page::Recover, status,
      {{"title", "Reset your password"},
       {"account", account.empty() ? nlohmann::json(nullptr) : nlohmann::json(account)},
       {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}});
}

http::HttpResponse show_recover(const http::HttpRequest& request, const AccountFlow& flow) {
  return recover_page(*flow.browser, request, 200, "", "");
}

http::HttpResponse handle_recover(const http::HttpRequest& request, const AccountFlow& flow) {
  const BrowserFlow& browser = *flow.browser;
  const auto form = BrowserForm::read(request);
  if (auto failure = anonymous_csrf_failure(browser, request, form)) return std::move(*failure);
  const auto account = form.field(browser_wire::kAccountField).value_or("");
  if (account.empty() || !grants::is_acceptable_identifier(account)) {
    return recover_page(browser, request, 400, "", "Enter your username or e-mail address.");
  }
  // Whatever happens next, the answer is the same, and it is given before anything is
  // looked up: the work (finding the account, the mail limits, the link, the mail) runs on
  // the worker pool afterwards, so neither the answer nor its timing tells whether an
  // account matched. A failure is logged, never shown.
  const bool queued =
      flow.run_later([&browser, &recovery = flow.recovery, account = std::string(account),
                      requester = mail_requester(request), request_id = request.request_id] {
        if (auto requested = recovery.request(account, requester); !requested.ok()) {
          browser.logger.error("password recovery failed",
                               {{"request_id", request_id}, {"detail", requested.error()}});
        }
      });
  if (!queued) {
    browser.logger.warn("password recovery dropped: the worker pool is full",
                        {{"request_id", request.request_id}});
  }
  return notice_page(browser, 200,
                     Notice{"Check your mail",
                            "If an account matches what you entered and has an e-mail address, "
                            "we have sent it a link to choose a new password. The link works "
                            "once, for 30 minutes.",
                            "Nothing arrived? Look in your spam folder, or ask again in a few "
                            "minutes.",
                            "", "", false});
}

}  // namespace

void add_recover_routes(http::Router& router, const std::shared_ptr<const AccountFlow>& flow) {
  const std::string path(browser_wire::kRecoverPath);
  router.add(
      http::Method::Get, path,
      [flow](const http::HttpRequest& request) { return show_recover(request, *flow); },
      http::Execution::Worker);
  router.add(
      http::Method::Post, path,
      [flow](const http::HttpRequest& request) { return handle_recover(request, *flow); },
      http::Execution::Worker);
}

}  // namespace keyward::server
