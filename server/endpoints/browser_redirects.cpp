#include "server/endpoints/browser_redirects.h"

#include "http/form.h"
#include "http/security_headers.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/oauth_error_writer.h"

namespace keyward::server {

http::HttpResponse redirect_to(std::string location, int status) {
  http::HttpResponse r;
  r.status = status;
  r.headers.set("Location", std::move(location));
  http::add_page_security_headers(r.headers);
  return r;
}

int redirect_status(const http::HttpRequest& request) {
  return request.method == http::Method::Post ? 303 : 302;
}

std::string with_query(std::string_view uri, const grants::RawParams& params) {
  std::string out(uri);
  char separator = out.find('?') == std::string::npos ? '?' : '&';
  if (!out.empty() && (out.back() == '?' || out.back() == '&')) separator = '\0';
  for (const auto& [name, value] : params) {
    if (separator != '\0') out += separator;
    out += http::form_urlencode(name);
    out += '=';
    out += http::form_urlencode(value);
    separator = '&';
  }
  return out;
}

http::HttpResponse authorize_error(const BrowserFlow& flow, const http::HttpRequest& request,
                                   const grants::AuthorizeError& error) {
  if (!error.redirects()) return oauth_error_page(flow, request, error.error);
  log_oauth_error(error.error, request, flow.logger, "authorization error");
  const auto response = flow.authorizer.error_response(error);
  return redirect_to(with_query(response.redirect_uri, response.params), redirect_status(request));
}

}  // namespace keyward::server
