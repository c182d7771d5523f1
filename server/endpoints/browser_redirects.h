#pragma once
// Where the browser endpoints send the browser: back to the client (a code, or an error
// with state and iss, RFC 6749 §4.1.2, §4.1.2.1, RFC 9207 §2), back to /authorize after
// sign-in, or to a post-logout redirect URI.
#include <string>
#include <string_view>

#include "grants/authorization_request.h"
#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

// A redirect (302 or 303) with the page headers (no-store, no-referrer).
[[nodiscard]] http::HttpResponse redirect_to(std::string location, int status);
// 302 after a GET, 303 after a POST (RFC 9110 §15.4.4: the browser then GETs the target).
[[nodiscard]] int redirect_status(const http::HttpRequest& request);
// uri with params appended to its query (form-urlencoded).
[[nodiscard]] std::string with_query(std::string_view uri, const grants::RawParams& params);

// An AuthorizeError: a redirect to the client when it may redirect (redirect_status), else
// a page.
[[nodiscard]] http::HttpResponse authorize_error(const BrowserFlow& flow,
                                                 const http::HttpRequest& request,
                                                 const grants::AuthorizeError& error);

}  // namespace keyward::server
