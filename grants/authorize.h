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

#include "common/clock.h"
#include "common/result.h"
#include "grants/authorization_request.h"
#include "grants/client_lookup.h"
#include "grants/oauth_error.h"
#include "storage/code_repository.h"
#include "storage/consent_repository.h"

namespace keyward::grants {

// Who is signed in to the browser that sent the request.
struct SignedIn {
  std::string user_id;
  TimePoint auth_time;
  std::string session_id_hash;  // the grant records it, so logout can revoke it
  std::string amr = "pwd";      // how the session was signed in (RFC 8176): "pwd" or "fed"
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
  Authorizer(ClientLookup& clients, storage::ConsentRepository& consents,
             storage::CodeRepository& codes, const Clock& clock, AuthorizeConfig config);

  // validate_authorization_request (grants/authorize_stages.h) with this authorizer's
  // clients: the stages, in order, first failure wins.
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
  ClientLookup& clients_;
  storage::ConsentRepository& consents_;
  storage::CodeRepository& codes_;
  const Clock& clock_;
  const AuthorizeConfig config_;
};

}  // namespace keyward::grants
