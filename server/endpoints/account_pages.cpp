#include "server/endpoints/account_pages.h"

#include "server/endpoints/browser_pages.h"
#include "server/endpoints/csrf.h"
#include "server/endpoints/session_cookie.h"

namespace keyward::server {

http::HttpResponse notice_page(const BrowserFlow& flow, int status, const Notice& notice) {
  auto or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
  };
  const nlohmann::json view = {{"title", notice.title},
                               {"message", notice.message},
                               {"hint", or_null(notice.hint)},
                               {"link_href", or_null(notice.link_href)},
                               {"link_text", or_null(notice.link_text)},
                               {"problem", notice.problem}};
  return http::HttpResponse::html(status, flow.templates->render(Page::Notice, view));
}

http::HttpResponse anonymous_form_page(const BrowserFlow& flow, const http::HttpRequest& request,
                                       Page page, int status, nlohmann::json view) {
  http::HttpResponse cookies;
  const auto secret = login_csrf_secret_for_page(request, flow.policy, cookies);
  view["csrf_token"] = csrf_token(secret);
  auto response = http::HttpResponse::html(status, flow.templates->render(page, view));
  for (const auto& cookie : cookies.headers.get_all("Set-Cookie")) {
    response.headers.add("Set-Cookie", std::string(cookie));
  }
  return response;
}

std::optional<http::HttpResponse> anonymous_csrf_failure(const BrowserFlow& flow,
                                                         const http::HttpRequest& request,
                                                         const BrowserForm& form) {
  const auto secret = login_csrf_secret(request, flow.policy);
  const auto presented = form.field(browser_wire::kCsrfField);
  if (!secret || !presented || !csrf_matches(*secret, *presented)) {
    return csrf_failure_page(flow, request);
  }
  return std::nullopt;
}

accounts::MailRequester mail_requester(const http::HttpRequest& request) {
  return accounts::MailRequester{request.client_ip,
                                 std::string(request.headers.get("Accept-Language").value_or(""))};
}

http::HttpResponse account_failure_page(const BrowserFlow& flow, const http::HttpRequest& request,
                                        std::string_view what, std::string_view detail) {
  flow.logger.error(std::string(what),
                    {{"request_id", request.request_id}, {"detail", std::string(detail)}});
  auto page = error_page(flow, request, 503, "Something went wrong",
                         "Keyward could not complete this request. Please try again in a "
                         "moment.");
  page.headers.set("Retry-After", "1");
  return page;
}

http::HttpResponse dead_link_page(const BrowserFlow& flow, std::string_view again_href,
                                  std::string_view again_text) {
  return notice_page(flow, 400,
                     Notice{"This link does not work",
                            "It has expired, has been used already, or was not copied whole.",
                            "Links from Keyward's mails work once, for a limited time.",
                            std::string(again_href), std::string(again_text), true});
}

}  // namespace keyward::server
