#pragma once
// The authorization endpoint's logic, without HTTP (RFC 6749 §4.1.1-§4.1.2, RFC 7636,
// OIDC Core §3.1.2, RFC 9207, RFC 9700 §2.1): validating an authorization request,
// deciding what it needs next (sign-in, consent, or nothing), remembering consent, and
// issuing the code. server/endpoints/{authorize,login,consent}.cpp render pages and
// redirects around it.
//
// Validation order matters (RFC 6749 §4.1.2.1): until client_id and redirect_uri are
// verified (the client exists, and the redirect_uri is registered for it exactly,
// character for character) an error is shown to the user on a page and never sent
// anywhere; after that, errors go back to the client as `error=` with `state` and `iss`.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "grants/client.h"
#include "grants/client_cache.h"
#include "grants/oauth_error.h"
#include "grants/scope.h"
#include "storage/code_repository.h"
#include "storage/consent_repository.h"

namespace keyward::grants {

// Parameters as received (already percent-decoded), in order, repeats included.
using RawParams = std::vector<std::pair<std::string, std::string>>;

// The authorization request parameters we read (OIDC Core §3.1.2.1, RFC 7636 §4.3);
// every other parameter is ignored, as OIDC Core §3.1.2.1 requires.
inline constexpr std::string_view kAuthorizationParameters[] = {
    "client_id", "redirect_uri", "response_type",  "response_mode",         "scope",
    "state",     "nonce",        "code_challenge", "code_challenge_method", "prompt",
    "max_age",   "login_hint",   "request",        "request_uri",           "registration"};

// OIDC Core §3.1.2.1 prompt values (select_account is honoured as login: we have no
// account chooser, so the user signs in as whom they choose).
struct Prompt {
  bool none = false;
  bool login = false;
  bool consent = false;
};

struct AuthorizationRequest {
  Client client;
  std::string redirect_uri;  // registered, exactly
  ScopeSet scope;
  std::optional<std::string> state;
  std::optional<std::string> nonce;
  std::optional<std::string> code_challenge;  // S256 only
  std::optional<std::string> login_hint;
  Prompt prompt;
  std::optional<std::chrono::seconds> max_age;
  // The recognised parameters as received (each at most once, none empty): what the
  // login and consent forms carry, so that each step validates the request again.
  RawParams params;

  [[nodiscard]] bool openid() const { return scope.count("openid") != 0; }
};

// Where an error goes (DESIGN.md "Errors").
struct AuthorizeError {
  OAuthError error;
  // Set once client_id and redirect_uri are verified: the error is then a redirect to
  // it (with state and iss); unset, it is an HTML page and goes nowhere.
  std::optional<std::string> redirect_uri;
  std::optional<std::string> state;

  [[nodiscard]] bool redirects() const { return redirect_uri.has_value(); }
};

template <class T>
using AuthorizeResult = Result<T, AuthorizeError>;

// Who is signed in to the browser that sent the request.
struct SignedIn {
  std::string user_id;
  TimePoint auth_time;
  std::string session_id_hash;  // the grant records it, so logout can revoke it
};

// What the request needs before a code can be issued.
enum class NextStep { Login, Consent, IssueCode };

// An authorization response (RFC 6749 §4.1.2, RFC 9207 §2): query parameters for the
// redirect_uri, in order.
struct AuthorizationResponse {
  std::string redirect_uri;
  RawParams params;
};

struct AuthorizeConfig {
  std::string issuer;                       // RFC 9207 `iss` in every response
  std::chrono::seconds code_ttl{60};        // at most 60 s (DESIGN.md "Tokens")
  std::chrono::seconds grant_ttl{2592000};  // bounds every token of the grant
};

class Authorizer {
 public:
  // Everything must outlive the authorizer.
  Authorizer(ClientCache& clients, storage::ConsentRepository& consents,
             storage::CodeRepository& codes, const Clock& clock, AuthorizeConfig config);

  // Checks, in order: client_id (known), redirect_uri (present, registered exactly) — page
  // errors; then, redirected: the client may use authorization_code (unauthorized_client),
  // no recognised parameter repeated, no request objects (invalid_request), response_type
  // = code (invalid_request when missing, unsupported_response_type otherwise),
  // response_mode query, scope (invalid_scope), PKCE (S256 only, required for public
  // clients: invalid_request), prompt, max_age (invalid_request).
  [[nodiscard]] AuthorizeResult<AuthorizationRequest> validate(const RawParams& params);

  // OIDC Core §3.1.2.3-§3.1.2.4: sign-in when nobody is signed in, prompt asks for it or
  // the last sign-in is older than max_age; consent when prompt asks for it or (for a
  // client that is not first-party) the scopes exceed what the user allowed before. With
  // prompt=none either is an error instead: login_required, consent_required.
  [[nodiscard]] AuthorizeResult<NextStep> next_step(const AuthorizationRequest& request,
                                                    const std::optional<SignedIn>& user);

  // The user allowed the request's scopes: remembered for next time.
  [[nodiscard]] AuthorizeResult<Unit> remember_consent(const AuthorizationRequest& request,
                                                       std::string_view user_id);

  // A new grant and its code (256 bits, code_ttl, single use, bound to the client, the
  // redirect_uri, the PKCE challenge, the nonce and the session): the response carries
  // code, state and iss.
  [[nodiscard]] AuthorizeResult<AuthorizationResponse> issue_code(
      const AuthorizationRequest& request, const SignedIn& user);

  // access_denied (the user said no: RFC 6749 §4.1.2.1) as a redirect.
  [[nodiscard]] AuthorizeError denied(const AuthorizationRequest& request) const;

  // The redirect for an error that redirects: error, error_description, state, iss.
  [[nodiscard]] AuthorizationResponse error_response(const AuthorizeError& error) const;

  // The request's parameters once the user has just signed in: prompt=login (and
  // select_account) and max_age are satisfied, so they are dropped before the browser is
  // sent back to the authorization endpoint (otherwise it would ask again, forever).
  [[nodiscard]] static RawParams params_after_login(const AuthorizationRequest& request);

  [[nodiscard]] const AuthorizeConfig& config() const { return config_; }

 private:
  ClientCache& clients_;
  storage::ConsentRepository& consents_;
  storage::CodeRepository& codes_;
  const Clock& clock_;
  const AuthorizeConfig config_;
};

}  // namespace keyward::grants
