#pragma once
// The browser's two cookies (DESIGN.md "Browser flows"): the session cookie, an opaque
// 256-bit id, HttpOnly, SameSite=Lax (sent on the top-level GET that brings the user back
// from a client, never on cross-site POSTs), Path=/; with an https issuer also Secure and
// the __Host- prefix (RFC 6265bis §4.1.3.2: the browser refuses it from anywhere but this
// host over TLS, so a sibling subdomain cannot plant one).
//
// Nobody signed in has no session row: an anonymous visit to /authorize writes nothing
// (otherwise every such request, a cheap one, would add a row). The login form's CSRF token
// is bound instead to the pre-login cookie, a random 256-bit value with the same
// attributes (double-submit: a cross-site page can neither read it nor compute the token
// from it); the session row is written at sign-in.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_wire.h"
#include "storage/session_repository.h"

namespace keyward::server {

struct SessionPolicy {
  std::string cookie_name{browser_wire::kSessionCookie};
  std::string login_cookie_name{browser_wire::kLoginCookie};
  std::string federation_cookie_name{browser_wire::kFederationCookie};
  std::string federation_link_cookie_name{browser_wire::kFederationLinkCookie};
  bool secure = false;
  std::chrono::seconds lifetime{12 * 3600};       // absolute, from sign-in
  std::chrono::seconds idle_timeout{3600};        // since the session was last used
  std::chrono::seconds anonymous_lifetime{3600};  // the pre-login cookie's lifetime

  // KEYWARD_SESSION_TTL and KEYWARD_SESSION_IDLE_TIMEOUT give lifetime and idle_timeout;
  // the pre-login cookie never outlives the idle timeout.
  [[nodiscard]] static SessionPolicy for_issuer(std::string_view issuer,
                                                std::chrono::seconds lifetime,
                                                std::chrono::seconds idle_timeout);
};

struct BrowserFlow;

// The live session the cookie names (its idle timer restarted), or nullopt.
[[nodiscard]] std::optional<storage::SessionRecord> current_session(
    const http::HttpRequest& request, const BrowserFlow& flow);

// The login form's CSRF secret, derived from the browser's pre-login cookie; nullopt when
// the browser sent none (or a malformed one).
[[nodiscard]] std::optional<std::string> login_csrf_secret(const http::HttpRequest& request,
                                                           const SessionPolicy& policy);

// The login form's CSRF secret for a page about to be shown: from the browser's pre-login
// cookie, or from a new one set on `response`. Writes nothing to storage.
[[nodiscard]] std::string login_csrf_secret_for_page(const http::HttpRequest& request,
                                                     const SessionPolicy& policy,
                                                     http::HttpResponse& response);

void set_session_cookie(http::HttpResponse& response, const SessionPolicy& policy,
                        std::string_view session_id, std::chrono::seconds max_age);
void clear_session_cookie(http::HttpResponse& response, const SessionPolicy& policy);
// Sign-in ends the pre-login cookie: a login page rendered before it (another tab) is then
// stale, like every other form, and the next login page starts a fresh one.
void clear_login_cookie(http::HttpResponse& response, const SessionPolicy& policy);

// A cookie of one of the federation flows (`name`: policy.federation_cookie_name or
// federation_link_cookie_name): a random_token() value with the session cookie's
// attributes, so only this browser, over this host, sends it back. Max-Age 0 clears it.
void set_flow_cookie(http::HttpResponse& response, const SessionPolicy& policy,
                     std::string_view name, std::string_view value, std::chrono::seconds max_age);
// The cookie's value when it is a well-formed random_token(); nullopt otherwise.
[[nodiscard]] std::optional<std::string> flow_cookie(const http::HttpRequest& request,
                                                     std::string_view name);

}  // namespace keyward::server
