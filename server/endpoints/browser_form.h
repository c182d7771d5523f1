#pragma once
// What the browser forms (POST /login, /consent, /logout) share: reading their own fields,
// the CSRF check that comes before anything else in a form is looked at, and the
// authorization request a login or consent form carries in its hidden fields, validated
// again on every POST.
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/endpoints/authorize.h"

namespace keyward::server {

// The form body's own field (csrf_token, username, ...), strictly parsed; nullopt when
// absent or repeated.
[[nodiscard]] std::optional<std::string> form_field(const http::HttpRequest& request,
                                                    std::string_view name);

// The page for a form whose CSRF token does not match its session or pre-login cookie (or
// that came with neither): 403, and nothing of the form is used.
[[nodiscard]] http::HttpResponse csrf_failure_page(const BrowserFlow& flow,
                                                   const http::HttpRequest& request);

// A consent (or other signed-in) form that passed the CSRF check against its session, and
// its authorization request.
struct AuthorizationForm {
  storage::SessionRecord session;
  grants::AuthorizationRequest request;
};

// The CSRF token first (a forged form gets the 403 page and nothing of it is read), then
// the authorization request, validated as /authorize does; the error page or redirect to
// answer with when either fails.
[[nodiscard]] Result<AuthorizationForm, http::HttpResponse> read_authorization_form(
    const http::HttpRequest& request, const BrowserFlow& flow);

// A login form that passed the CSRF check (against the pre-login cookie: nobody signed in
// has a session row), the browser's live session if it has one (signing in again, or as
// someone else), and the authorization request.
struct LoginForm {
  std::string csrf_secret;
  std::optional<storage::SessionRecord> session;
  grants::AuthorizationRequest request;
};

// As read_authorization_form, with the CSRF token checked against the pre-login cookie.
[[nodiscard]] Result<LoginForm, http::HttpResponse> read_login_form(
    const http::HttpRequest& request, const BrowserFlow& flow);

}  // namespace keyward::server
