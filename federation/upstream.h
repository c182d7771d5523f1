#pragma once
// Keyward as the relying party of an upstream OpenID provider ("Sign in with Google"): the
// authorization code flow with PKCE S256, state and nonce (OIDC Core §3.1, RFC 7636,
// RFC 9700 §2.1), and the checks on what comes back (RFC 9207 `iss`, the token response,
// the ID token per OIDC Core §3.1.3.7). No HTTP server and no database here: the browser
// endpoints (server/endpoints/federation_*.cpp) keep state, nonce and code_verifier in
// storage::FederationFlowRepository and call these; the provider's settings come from
// storage::IdentityProviderRepository through ProviderRegistry.
//
// The upstream's discovery document and JWKS are fetched and cached with the resource
// server's verifier library (rs::HttpFetcher, rs::JwksCache: the same cache, with its
// unknown-kid refetch); the token endpoint is one POST through UpstreamPoster.
//
// Network calls block: call from the worker pool, never a reactor thread.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace keyward::federation {

// One registered upstream, as the server holds it (the secret opened from storage).
struct ProviderSettings {
  std::string name;                 // the button's and the CLI's name: [a-z0-9-]{1,32}
  std::string issuer;               // discovery must name exactly this
  std::string client_id;            // Keyward's client id at the upstream
  std::string client_secret;        // in memory only; sealed in storage, never logged
  std::vector<std::string> scopes;  // always contains "openid"
  std::string button_label;         // "Google": the login page says "Sign in with Google"
};

// What the login page needs to show a button.
struct ProviderButton {
  std::string name;
  std::string label;
};

// The secrets of one upstream flow, made at its start and kept (hashed where they are
// bearer values) by the server until the callback.
struct FlowSecrets {
  std::string state;          // 256-bit random_token(): sent upstream, looked up on return
  std::string nonce;          // 256-bit random_token(): must come back in the ID token
  std::string code_verifier;  // RFC 7636 §4.1: 256-bit random_token() (43 characters)

  // Fresh values from the CSPRNG.
  [[nodiscard]] static FlowSecrets generate();
};

// How fresh the upstream's sign-in must be: what the Keyward authorization request asked
// (OIDC Core §3.1.2.1 prompt=login and max_age), passed on upstream and checked against the
// ID token's auth_time, since a federated sign-in is the re-authentication Keyward records.
struct Freshness {
  bool login = false;                           // prompt=login (or select_account)
  std::optional<std::chrono::seconds> max_age;  // max_age
  TimePoint requested_at{};                     // the flow's start: a login is no older
};

// The query of GET /federation/callback (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207 §2).
struct CallbackParams {
  std::optional<std::string> code;
  std::optional<std::string> state;
  std::optional<std::string> iss;
  std::optional<std::string> error;
  std::optional<std::string> error_description;
};

// Who the upstream says signed in: from the verified ID token (and, when the ID token lacks
// the e-mail and the upstream has one, its userinfo endpoint, whose sub must match).
struct UpstreamIdentity {
  std::string provider;  // ProviderSettings::name
  std::string subject;   // the upstream's sub: stable per (issuer, sub), OIDC Core §2
  std::optional<std::string> email;
  bool email_verified = false;  // only the upstream's explicit `email_verified: true`
  std::optional<std::string> given_name;
  std::optional<std::string> family_name;
  std::optional<std::string> preferred_username;
  // The ID token's auth_time (OIDC Core §2), when it has one.
  std::optional<TimePoint> auth_time;
};

struct UpstreamError {
  enum class Kind {
    Cancelled,        // error=access_denied: the user said no upstream
    Refused,          // any other error= from the upstream, or its token endpoint said no
    Unreachable,      // discovery, JWKS or token endpoint could not be reached (or 5xx)
    InvalidResponse,  // wrong iss parameter, malformed token response, no id_token, ...
    InvalidIdToken,   // signature, iss, aud, azp, exp, iat, nonce, sub, auth_time
    NotFresh,         // auth_time missing under max_age, or older than Freshness allows
  } kind = Kind::InvalidResponse;
  // For logs only: never a code, token, secret or the ID token itself.
  std::string log_detail;
};

// A POST to the upstream's token endpoint: form body, optional Authorization header; and
// the GET of its userinfo endpoint, which needs an Authorization header too.
struct PostResponse {
  int status = 0;
  std::string body;
};
class UpstreamPoster {
 public:
  virtual ~UpstreamPoster() = default;
  // An error is a transport failure; any HTTP status is a PostResponse.
  [[nodiscard]] virtual Result<PostResponse, std::string> post_form(
      const std::string& url, const std::string& form_body, const std::string& authorization) = 0;
  // GET url with "Authorization: <authorization>" (OIDC Core §5.3.1: the access token as a
  // Bearer token). Errors as for post_form.
  [[nodiscard]] virtual Result<PostResponse, std::string> get_authorized(
      const std::string& url, const std::string& authorization) = 0;
};

// One upstream provider: its settings, its discovery document and JWKS (cached), and the
// flow. Thread-safe.
class Upstream {
 public:
  virtual ~Upstream() = default;
  [[nodiscard]] virtual const ProviderSettings& settings() const = 0;

  // The URL to send the browser to (303): the upstream's authorization_endpoint with
  // response_type=code, client_id, redirect_uri, scope, state, nonce, code_challenge
  // (S256 of the verifier), code_challenge_method=S256; prompt=login and max_age when
  // `freshness` asks for them. Fetches discovery when needed.
  [[nodiscard]] virtual Result<std::string, UpstreamError> authorization_url(
      const FlowSecrets& secrets, const Freshness& freshness) = 0;

  // The origin (scheme://host[:port]) the browser is sent to by authorization_url: the
  // discovered authorization_endpoint's, or the issuer's while discovery has not been
  // loaded (a login page's CSP form-action must allow it).
  [[nodiscard]] virtual std::string authorization_origin() = 0;

  // The callback, after the server found the flow by `state` and checked the browser:
  // error= → Cancelled/Refused; `iss` must equal the issuer when present, and must be present
  // when discovery says authorization_response_iss_parameter_supported; then the code is
  // exchanged (with the code_verifier, client_secret_basic or _post as the upstream
  // supports) and the ID token verified: signature under the upstream's JWKS (one refetch on
  // an unknown kid) with RS256/ES256/EdDSA only, iss exact, aud containing client_id, azp
  // equal to client_id when present (required with several audiences), exp and iat within
  // leeway, nonce equal to secrets.nonce, a non-empty sub, auth_time a number when present.
  // Then `freshness`: with max_age, auth_time is required (OIDC Core §3.1.2.1) and must be
  // no older than max_age (plus leeway); with login, an auth_time present must not be
  // before requested_at (minus leeway). Otherwise NotFresh.
  [[nodiscard]] virtual Result<UpstreamIdentity, UpstreamError> finish(
      const CallbackParams& callback, const FlowSecrets& secrets, const Freshness& freshness) = 0;
};

}  // namespace keyward::federation
