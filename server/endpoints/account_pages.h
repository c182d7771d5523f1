#pragma once
// What the account endpoints share: the notice page (templates/notice.html), the
// anonymous form's CSRF check, who asked for a mail, and the page for a storage failure.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "accounts/email_verification.h"
#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"
#include "server/endpoints/browser_form.h"
#include "server/render/templates.h"

namespace keyward::server {

struct Notice {
  std::string title;
  std::string message;
  std::string hint;                  // optional
  std::string link_href, link_text;  // optional
  bool problem = false;              // the warning icon instead of the tick
};
[[nodiscard]] http::HttpResponse notice_page(const BrowserFlow& flow, int status,
                                             const Notice& notice);

// An anonymous page with a form: rendered with `view` plus its CSRF token (from the
// pre-login cookie, set on the response when the browser has none).
[[nodiscard]] http::HttpResponse anonymous_form_page(const BrowserFlow& flow,
                                                     const http::HttpRequest& request, Page page,
                                                     int status, nlohmann::json view);

// The CSRF token of an anonymous form, checked against the pre-login cookie; the 403 page
// when it does not match (nothing else of the form is to be read then).
[[nodiscard]] std::optional<http::HttpResponse> anonymous_csrf_failure(
    const BrowserFlow& flow, const http::HttpRequest& request, const BrowserForm& form);

// The client address (per-address mail limit) and Accept-Language (the mail's language).
[[nodiscard]] accounts::MailRequester mail_requester(const http::HttpRequest& request);

// 503 with Retry-After; the detail is logged (never a token, link or password).
[[nodiscard]] http::HttpResponse account_failure_page(const BrowserFlow& flow,
                                                      const http::HttpRequest& request,
                                                      std::string_view what,
                                                      std::string_view detail);

// The page of a link that is unknown, used or expired; `again_href` is where to ask for
// a new one.
[[nodiscard]] http::HttpResponse dead_link_page(const BrowserFlow& flow,
                                                std::string_view again_href,
                                                std::string_view again_text);

}  // namespace keyward::server
