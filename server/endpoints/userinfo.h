#pragma once
// GET and POST /userinfo (OIDC Core §5.3) with a Bearer access token (RFC 6750): in the
// Authorization header (§2.1), or for POST in the form body as access_token (§2.2), never
// both. Answers the user's claims for the token's scope as JSON with Cache-Control:
// no-store. Errors (RFC 6750 §3): no token → 401 with WWW-Authenticate: Bearer
// realm="keyward" and no error code; a bad token → 401 error="invalid_token"; a token
// without openid → 403 error="insufficient_scope", scope="openid"; a malformed request
// → 400 error="invalid_request". CORS-enabled (Bearer tokens are not ambient
// credentials), with an OPTIONS preflight answer. Runs on the worker pool.
#include "common/log.h"
#include "grants/userinfo.h"
#include "http/router.h"

namespace keyward::server {

inline constexpr std::string_view kUserInfoPath = "/userinfo";

struct UserInfoEndpoint {
  grants::UserInfo& userinfo;
  Logger& logger;
};

void add_userinfo_routes(http::Router& router, UserInfoEndpoint endpoint);
[[nodiscard]] http::HttpResponse handle_userinfo(const http::HttpRequest& request,
                                                 const UserInfoEndpoint& endpoint);

}  // namespace keyward::server
