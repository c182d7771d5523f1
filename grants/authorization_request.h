#pragma once
// An authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1) once
// validated, and where an error about one goes: what grants/authorize_stages.h produces
// and grants/authorize.h works on.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "grants/client.h"
#include "grants/oauth_error.h"
#include "grants/scope.h"
#include "grants/wire.h"

namespace keyward::grants {

// Parameters as received (already percent-decoded), in order, repeats included.
using RawParams = std::vector<std::pair<std::string, std::string>>;

// The authorization request parameters we read (OIDC Core §3.1.2.1, RFC 7636 §4.3);
// every other parameter is ignored, as OIDC Core §3.1.2.1 requires.
inline constexpr std::string_view kAuthorizationParameters[] = {
    wire::kClientId,     wire::kRedirectUri,   wire::kResponseType,
    wire::kResponseMode, wire::kScope,         wire::kState,
    wire::kNonce,        wire::kCodeChallenge, wire::kCodeChallengeMethod,
    wire::kPrompt,       wire::kMaxAge,        wire::kLoginHint,
    wire::kRequest,      wire::kRequestUri,    wire::kRegistration};

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

}  // namespace keyward::grants
