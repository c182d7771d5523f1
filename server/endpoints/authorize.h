#pragma once
// GET and POST /authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2.1: both methods), and what
// the browser endpoints (/authorize, /login, /consent, /logout) share: the session
// cookie, CSRF-protected pages from templates/, redirects back to the client.
//
// The flow: /authorize validates the request (grants::Authorizer) and, depending on who
// is signed in, shows the login page, the consent page, or redirects to the client with
// a code. Forms carry the authorization request's parameters as hidden fields and are
// validated again on every POST, so a tab holds its whole request and two tabs of one
// browser sign in side by side. POST /login signs in and sends the browser back to
// /authorize (PRG); POST /consent allows or denies. Everything runs on the worker pool.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/log.h"
#include "grants/authorize.h"
#include "grants/client_cache.h"
#include "grants/id_token.h"
#include "grants/user_authenticator.h"
#include "http/router.h"
#include "server/render/templates.h"
#include "storage/session_repository.h"
#include "storage/user_repository.h"

namespace keyward::server {

inline constexpr std::string_view kAuthorizePath = "/authorize";
inline constexpr std::string_view kLoginPath = "/login";
inline constexpr std::string_view kConsentPath = "/consent";
inline constexpr std::string_view kLogoutPath = "/logout";
inline constexpr std::string_view kStylesheetPath = "/assets/keyward.css";

// The browser session cookie (DESIGN.md "Browser flows"): opaque 256-bit id, HttpOnly,
// SameSite=Lax (sent on the top-level GET that brings the user back from a client,
// never on cross-site POSTs), Path=/; with an https issuer also Secure and the __Host-
// prefix (RFC 6265bis §4.1.3.2: the browser refuses it from anywhere but this host over
// TLS, so a sibling subdomain cannot plant one).
//
// Nobody signed in has no session row: an anonymous visit to /authorize writes nothing
// (otherwise every such request, a cheap one, would add a row). The login form's CSRF token
// is bound instead to the pre-login cookie, a random 256-bit value with the same
// attributes (double-submit: a cross-site page can neither read it nor compute the token
// from it); the session row is written at sign-in.
struct SessionPolicy {
  std::string cookie_name = "keyward_session";
  std::string login_cookie_name = "keyward_login";
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

// What the browser endpoints use; everything must outlive the routes.
struct BrowserFlow {
  grants::Authorizer& authorizer;
  grants::UserAuthenticator& user_auth;
  grants::ClientCache& clients;
  grants::IdTokenIssuer& id_tokens;
  storage::SessionRepository& sessions;
  storage::UserRepository& users;
  std::shared_ptr<const Templates> templates;
  const Clock& clock;
  SessionPolicy policy;
  Logger& logger;
};

// GET and POST /authorize, and GET /assets/keyward.css (the pages' stylesheet, from the
// reactor, cacheable).
void add_authorize_routes(http::Router& router, const std::shared_ptr<const BrowserFlow>& flow);
[[nodiscard]] http::HttpResponse handle_authorize(const http::HttpRequest& request,
                                                  const BrowserFlow& flow);

// ---- Shared by the browser endpoints ----

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

// The request's parameters: the query for GET, the form body for POST (which must be
// application/x-www-form-urlencoded). Form fields of our own (csrf_token, username,
// password, decision) are left out.
[[nodiscard]] Result<grants::RawParams, std::string> browser_params(
    const http::HttpRequest& request);

// An error page (never a redirect): status, a title and a message for people.
[[nodiscard]] http::HttpResponse error_page(const BrowserFlow& flow,
                                            const http::HttpRequest& request, int status,
                                            std::string_view title, std::string_view message);
// The page for an OAuthError that must not redirect (unverified client or redirect_uri,
// CSRF failures, storage failures), with the request id for 5xx.
[[nodiscard]] http::HttpResponse oauth_error_page(const BrowserFlow& flow,
                                                  const http::HttpRequest& request,
                                                  const grants::OAuthError& error);

// An AuthorizeError: a redirect to the client when it may redirect (302 after GET, 303
// after POST), else a page.
[[nodiscard]] http::HttpResponse authorize_error(const BrowserFlow& flow,
                                                 const http::HttpRequest& request,
                                                 const grants::AuthorizeError& error);

// CSP form-action 'self' only would make browsers (Chromium checks every redirect a form
// submission leads to) refuse the final redirect to the client: a page whose form ends
// there allows that one origin (scheme://host[:port] of `uri`) too.
void allow_form_redirect(http::HttpResponse& response, std::string_view uri);

// A redirect (302 or 303) with the page headers (no-store, no-referrer).
[[nodiscard]] http::HttpResponse redirect_to(std::string location, int status);
// uri with params appended to its query (form-urlencoded).
[[nodiscard]] std::string with_query(std::string_view uri, const grants::RawParams& params);

// The login page for `request` (with `error` shown above the form when set); its CSRF token
// comes from `login_csrf_secret`.
[[nodiscard]] http::HttpResponse login_page(const BrowserFlow& flow,
                                            const grants::AuthorizationRequest& r,
                                            std::string_view login_csrf_secret, int status,
                                            std::string_view username, std::string_view error);
// The consent page.
[[nodiscard]] http::HttpResponse consent_page(const BrowserFlow& flow,
                                              const http::HttpRequest& request,
                                              const grants::AuthorizationRequest& r,
                                              const storage::SessionRecord& session);

// After the session is known to be signed in and the request valid: the next step
// (login page, consent page, or the code redirect). `status_after_post` picks 303.
[[nodiscard]] http::HttpResponse continue_authorization(
    const BrowserFlow& flow, const http::HttpRequest& request,
    const grants::AuthorizationRequest& r, const std::optional<storage::SessionRecord>& s);

}  // namespace keyward::server
