#pragma once
// What the browser forms (POST /authorize, /login, /consent, /logout) share: the request's
// parameters decoded once and handed to every step that reads them, the CSRF check that
// comes before anything else in a form is looked at, and the authorization request a
// login or consent form carries in its hidden fields, validated again on every POST.
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "grants/authorization_request.h"
#include "http/form.h"
#include "http/request.h"
#include "http/response.h"
#include "server/endpoints/browser_flow.h"

namespace keyward::server {

// A browser request's parameters, decoded once: the query of a GET, the body of a POST.
class BrowserForm {
 public:
  [[nodiscard]] static BrowserForm read(const http::HttpRequest& request);

  // One of our own form's fields (csrf_token, username, ...), strictly parsed; nullopt when
  // absent, repeated, or when the body did not decode.
  [[nodiscard]] std::optional<std::string> field(std::string_view name) const;

  // The parameters of the authorization (or logout) request, our own fields left out; the
  // error, for people, when the query did not decode or a POST body is not a well-formed
  // application/x-www-form-urlencoded form.
  [[nodiscard]] Result<grants::RawParams, std::string> request_params() const;

 private:
  std::optional<http::FormParams> decoded_;  // nullopt when the body did not decode
  std::optional<std::string> error_;         // why request_params() fails
};

// The page for a form whose CSRF token does not match its session or pre-login cookie (or
// that came with neither): 403, and nothing of the form is used.
[[nodiscard]] http::HttpResponse csrf_failure_page(const BrowserFlow& flow,
                                                   const http::HttpRequest& request);

// The authorization request in `form`, validated as /authorize does; the error page or
// redirect to answer with when it is not valid.
[[nodiscard]] Result<grants::AuthorizationRequest, http::HttpResponse> validated_request(
    const http::HttpRequest& request, const BrowserForm& form, const BrowserFlow& flow);

// A consent (or other signed-in) form that passed the CSRF check against its session, and
// its authorization request.
struct AuthorizationForm {
  storage::SessionRecord session;
  grants::AuthorizationRequest request;
};

// The CSRF token first (a forged form gets the 403 page and nothing of it is read), then
// the authorization request (validated_request); the error page or redirect to answer
// with when either fails.
[[nodiscard]] Result<AuthorizationForm, http::HttpResponse> read_authorization_form(
    const http::HttpRequest& request, const BrowserForm& form, const BrowserFlow& flow);

// A login form that passed the CSRF check (against the pre-login cookie: nobody signed in
// has a session row), the browser's live session if it has one (signing in again, or as
// someone else), and the authorization request; nullopt for the account page's login
// form (return_to=account), which carries none.
struct LoginForm {
  std::string csrf_secret;
  std::optional<storage::SessionRecord> session;
  std::optional<grants::AuthorizationRequest> request;
};

// As read_authorization_form, with the CSRF token checked against the pre-login cookie;
// a form with return_to=account skips the authorization request, any other return_to is
// a 400 page.
[[nodiscard]] Result<LoginForm, http::HttpResponse> read_login_form(
    const http::HttpRequest& request, const BrowserForm& form, const BrowserFlow& flow);

}  // namespace keyward::server
