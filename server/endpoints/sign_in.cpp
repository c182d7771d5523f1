#include "server/endpoints/sign_in.h"

#include "common/crypto.h"
#include "server/endpoints/browser_form.h"
#include "server/endpoints/browser_pages.h"
#include "server/endpoints/browser_redirects.h"

namespace keyward::server {

http::HttpResponse sign_in_and_redirect(const http::HttpRequest& request, const BrowserFlow& flow,
                                        const std::optional<storage::SessionRecord>& previous,
                                        std::string_view user_id, std::string location,
                                        std::string_view amr, std::optional<TimePoint> auth_time) {
  // Session fixation: whoever knew the id of the session before sign-in (a cookie
  // planted by someone else) must not hold the signed-in one, nor a CSRF token for it: both
  // the id and the CSRF secret are new. The first sign-in of a browser writes its session
  // row only now.
  const std::string id = random_token();
  const TimePoint now = flow.clock.now();
  const TimePoint expires_at = now + flow.policy.lifetime;
  // What the account page lists of this session: where from, with what browser.
  storage::SessionOrigin origin{std::string(request.headers.get("User-Agent").value_or("")),
                                request.client_ip};
  auto signed_in =
      previous ? flow.sessions.sign_in(previous->id_hash, sha256(id), user_id, random_bytes(32),
                                       now, expires_at, origin, amr, auth_time)
               : flow.sessions.start(storage::NewSignedInSession{
                     sha256(id), std::string(user_id), random_bytes(32), now, expires_at, origin,
                     std::string(amr), auth_time});
  if (!signed_in.ok()) {
    flow.logger.error("sign-in failed to store the session",
                      {{"request_id", request.request_id}, {"detail", signed_in.error().message}});
    return oauth_error_page(flow, request,
                            grants::OAuthError::temporarily_unavailable(
                                "the service is busy, try again shortly", std::chrono::seconds(1)));
  }
  if (!*signed_in) return csrf_failure_page(flow, request);  // the session ended meanwhile

  auto response = redirect_to(std::move(location), 303);
  set_session_cookie(response, flow.policy, id, flow.policy.lifetime);
  clear_login_cookie(response, flow.policy);
  return response;
}

}  // namespace keyward::server
