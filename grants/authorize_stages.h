#pragma once
// Validating an authorization request as a pipeline of named stages (node-oidc-provider's
// lib/actions/authorization shape): each stage checks one thing and fails for one reason.
//
// Order matters (RFC 6749 §4.1.2.1). The two page stages come first: until the client
// is known and the redirect_uri is registered for it exactly, an error is shown to the
// user on a page and sent nowhere. Every later stage's error is redirected to the client
// with `state` (when it is fit to echo) and `iss`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "grants/authorization_request.h"
#include "grants/client_lookup.h"
#include "grants/oauth_error.h"

namespace keyward::grants {

// The recognised parameters (kAuthorizationParameters), in order, each kept once; RFC
// 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted
// from the request."
struct AuthorizationParams {
  RawParams kept;
  std::vector<std::string> repeated;  // names sent more than once, first repeat first

  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  [[nodiscard]] bool is_repeated(std::string_view name) const;
};

[[nodiscard]] AuthorizationParams collect_authorization_params(const RawParams& raw);

// --- page stages: their errors are shown, never redirected ---

// client_id: once, present, a registered client (a failed lookup is the storage error).
[[nodiscard]] Result<Client, OAuthError> check_client(const AuthorizationParams& params,
                                                      ClientLookup& clients);

// redirect_uri: once, present (OIDC Core §3.1.2.1 makes it REQUIRED) and registered for
// the client exactly (RFC 9700 §4.1.3: no prefix, no wildcard, no port freedom).
[[nodiscard]] Result<std::string, OAuthError> check_redirect_uri(const AuthorizationParams& params,
                                                                 const Client& client);

// --- redirected stages ---

// The state to echo with a redirected error: none when it is too long or not VSCHAR
// (the request then fails in check_state, and nothing unfit goes into a Location).
[[nodiscard]] std::optional<std::string> echoable_state(const AuthorizationParams& params);

// A redirected stage reads the parameters and fills in its part of the request (whose
// client, redirect_uri and state are set before the first one runs); nullopt: passed.
using AuthorizationStage = std::optional<OAuthError> (*)(const AuthorizationParams& params,
                                                         AuthorizationRequest& request);

std::optional<OAuthError> check_client_grant_type(const AuthorizationParams&,
                                                  AuthorizationRequest&);
std::optional<OAuthError> check_no_repeats(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_state(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_no_request_objects(const AuthorizationParams&,
                                                   AuthorizationRequest&);
std::optional<OAuthError> check_response_type(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_response_mode(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_scope(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_pkce(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_nonce(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_prompt(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> check_max_age(const AuthorizationParams&, AuthorizationRequest&);
std::optional<OAuthError> read_login_hint(const AuthorizationParams&, AuthorizationRequest&);

// The redirected stages, in the order they run.
inline constexpr AuthorizationStage kRedirectedStages[] = {check_client_grant_type,
                                                           check_no_repeats,
                                                           check_state,
                                                           check_no_request_objects,
                                                           check_response_type,
                                                           check_response_mode,
                                                           check_scope,
                                                           check_pkce,
                                                           check_nonce,
                                                           check_prompt,
                                                           check_max_age,
                                                           read_login_hint};

// Every stage in order; the first failure wins.
[[nodiscard]] AuthorizeResult<AuthorizationRequest> validate_authorization_request(
    const RawParams& raw, ClientLookup& clients);

}  // namespace keyward::grants
