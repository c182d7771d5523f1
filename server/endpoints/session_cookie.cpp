#include "server/endpoints/session_cookie.h"

#include <algorithm>

#include "common/crypto.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {
namespace {

// The login form's CSRF secret is HMAC(pre-login cookie, this): a secret of its own, never
// the cookie value itself, so the page shows nothing the cookie could be derived from.
constexpr std::string_view kPreLoginSecretPurpose = "keyward pre-login csrf secret v1";

bool is_session_id(std::string_view value) {
  // random_token(): 32 bytes as base64url.
  return value.size() == 43 && std::all_of(value.begin(), value.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

// Both cookies have the same attributes; Max-Age=0 with an empty value clears one.
void add_cookie(http::HttpResponse& response, const SessionPolicy& policy, std::string_view name,
                std::string_view value, std::chrono::seconds max_age) {
  std::string cookie = std::string(name) + "=" + std::string(value) +
                       "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
                       "; HttpOnly; SameSite=Lax";
  if (policy.secure) cookie += "; Secure";
  response.headers.add("Set-Cookie", std::move(cookie));
}

}  // namespace

SessionPolicy SessionPolicy::for_issuer(std::string_view issuer, std::chrono::seconds lifetime,
                                        std::chrono::seconds idle_timeout) {
  SessionPolicy p;
  p.lifetime = lifetime;
  p.idle_timeout = idle_timeout;
  p.anonymous_lifetime = std::min(p.anonymous_lifetime, idle_timeout);
  if (issuer.substr(0, 8) == "https://") {
    p.secure = true;
    p.cookie_name = std::string(browser_wire::kHostPrefix) + p.cookie_name;
    p.login_cookie_name = std::string(browser_wire::kHostPrefix) + p.login_cookie_name;
    p.federation_cookie_name = std::string(browser_wire::kHostPrefix) + p.federation_cookie_name;
    p.federation_link_cookie_name =
        std::string(browser_wire::kHostPrefix) + p.federation_link_cookie_name;
  }
  return p;
}

std::optional<storage::SessionRecord> current_session(const http::HttpRequest& request,
                                                      const BrowserFlow& flow) {
  const auto cookie = request.cookies.get(flow.policy.cookie_name);
  if (!cookie || !is_session_id(*cookie)) return std::nullopt;
  auto found = flow.sessions.touch(sha256(*cookie), flow.clock.now(), flow.policy.idle_timeout);
  if (!found.ok()) {
    flow.logger.error("session lookup failed",
                      {{"request_id", request.request_id}, {"detail", found.error().message}});
    return std::nullopt;
  }
  return std::move(found).value();
}

std::optional<std::string> login_csrf_secret(const http::HttpRequest& request,
                                             const SessionPolicy& policy) {
  const auto cookie = request.cookies.get(policy.login_cookie_name);
  if (!cookie || !is_session_id(*cookie)) return std::nullopt;
  return hmac_sha256(*cookie, kPreLoginSecretPurpose);
}

std::string login_csrf_secret_for_page(const http::HttpRequest& request,
                                       const SessionPolicy& policy, http::HttpResponse& response) {
  if (auto secret = login_csrf_secret(request, policy)) return std::move(*secret);
  const std::string value = random_token();
  add_cookie(response, policy, policy.login_cookie_name, value, policy.anonymous_lifetime);
  return hmac_sha256(value, kPreLoginSecretPurpose);
}

void set_session_cookie(http::HttpResponse& response, const SessionPolicy& policy,
                        std::string_view session_id, std::chrono::seconds max_age) {
  add_cookie(response, policy, policy.cookie_name, session_id, max_age);
}

void clear_session_cookie(http::HttpResponse& response, const SessionPolicy& policy) {
  add_cookie(response, policy, policy.cookie_name, "", std::chrono::seconds(0));
}

void clear_login_cookie(http::HttpResponse& response, const SessionPolicy& policy) {
  add_cookie(response, policy, policy.login_cookie_name, "", std::chrono::seconds(0));
}

void set_flow_cookie(http::HttpResponse& response, const SessionPolicy& policy,
                     std::string_view name, std::string_view value, std::chrono::seconds max_age) {
  add_cookie(response, policy, name, value, max_age);
}

std::optional<std::string> flow_cookie(const http::HttpRequest& request, std::string_view name) {
  const auto cookie = request.cookies.get(name);
  if (!cookie || !is_session_id(*cookie)) return std::nullopt;
  return std::string(*cookie);
}

}  // namespace keyward::server
