#include "grants/authorize_stages.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"
#include "grants/client_storage_failure.h"
#include "grants/pkce.h"
#include "grants/redirect_uri.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

// Bounds on values we store or echo into pages; far above what real clients send.
constexpr size_t kMaxNonce = 512;
constexpr size_t kMaxLoginHint = 255;
constexpr size_t kMaxState = 2048;

bool recognised(std::string_view name) {
  return std::find(std::begin(kAuthorizationParameters), std::end(kAuthorizationParameters),
                   name) != std::end(kAuthorizationParameters);
}

// OIDC Core §3.1.2.1: space-delimited, case-sensitive.
std::optional<Prompt> parse_prompt(std::string_view text) {
  auto values = parse_scope(text);  // the same grammar: tokens separated by single spaces
  if (!values) return std::nullopt;
  Prompt p;
  for (const auto& value : *values) {
    if (value == wire::kPromptNone) {
      p.none = true;
    } else if (value == wire::kPromptLogin || value == wire::kPromptSelectAccount) {
      p.login = true;
    } else if (value == wire::kPromptConsent) {
      p.consent = true;
    } else {
      return std::nullopt;
    }
  }
  // "If this parameter contains none with any other value, an error is returned."
  if (p.none && values->size() > 1) return std::nullopt;
  return p;
}

std::optional<std::chrono::seconds> parse_max_age(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return std::chrono::seconds(value);
}

}  // namespace

std::optional<std::string> AuthorizationParams::get(std::string_view name) const {
  for (const auto& [n, v] : kept) {
    if (n == name) return v;
  }
  return std::nullopt;
}

bool AuthorizationParams::is_repeated(std::string_view name) const {
  return std::find(repeated.begin(), repeated.end(), name) != repeated.end();
}

AuthorizationParams collect_authorization_params(const RawParams& raw) {
  AuthorizationParams out;
  for (const auto& [name, value] : raw) {
    if (!recognised(name) || value.empty()) continue;
    if (out.get(name)) {
      if (!out.is_repeated(name)) out.repeated.push_back(name);
      continue;
    }
    out.kept.emplace_back(name, value);
  }
  return out;
}

Result<Client, OAuthError> check_client(const AuthorizationParams& params, ClientLookup& clients) {
  if (params.is_repeated(wire::kClientId)) {
    return err(OAuthError::invalid_request("client_id is repeated"));
  }
  const auto client_id = params.get(wire::kClientId);
  if (!client_id) return err(OAuthError::invalid_request("client_id is missing"));
  auto found = clients.find(*client_id);
  if (!found.ok()) return err(storage_failure(found.error(), "client lookup"));
  if (!*found) {
    return err(
        OAuthError::invalid_request("this application is not registered", "unknown client_id"));
  }
  return (*found)->client;
}

Result<std::string, OAuthError> check_redirect_uri(const AuthorizationParams& params,
                                                   const Client& client) {
  if (params.is_repeated(wire::kRedirectUri)) {
    return err(OAuthError::invalid_request("redirect_uri is repeated"));
  }
  auto redirect_uri = params.get(wire::kRedirectUri);
  if (!redirect_uri) return err(OAuthError::invalid_request("redirect_uri is missing"));
  if (!redirect_uri_registered(*redirect_uri, client.redirect_uris)) {
    return err(OAuthError::invalid_request("redirect_uri is not registered for this application",
                                           "unregistered redirect_uri for client " + client.id));
  }
  return std::move(redirect_uri).value();
}

std::optional<std::string> echoable_state(const AuthorizationParams& params) {
  auto state = params.get(wire::kState);
  if (state && state->size() <= kMaxState && is_vschar(*state)) return state;
  return std::nullopt;
}

std::optional<OAuthError> check_client_grant_type(const AuthorizationParams&,
                                                  AuthorizationRequest& request) {
  if (request.client.allows_grant(wire::kAuthorizationCode)) return std::nullopt;
  return OAuthError::unauthorized_client(
      "this application may not use the authorization code flow");
}

// RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
std::optional<OAuthError> check_no_repeats(const AuthorizationParams& params,
                                           AuthorizationRequest&) {
  if (params.repeated.empty()) return std::nullopt;
  return OAuthError::invalid_request("parameter " + params.repeated.front() + " is repeated");
}

std::optional<OAuthError> check_state(const AuthorizationParams& params,
                                      AuthorizationRequest& request) {
  const auto state = params.get(wire::kState);
  if (state && state->size() > kMaxState) return OAuthError::invalid_request("state is too long");
  // RFC 6749 Appendix A.5: state = 1*VSCHAR. It is echoed into a Location header and
  // compared by the client, so nothing else is accepted (and such a state is not echoed).
  if (state && !is_vschar(*state)) {
    return OAuthError::invalid_request("state must be printable ASCII");
  }
  request.state = state;
  return std::nullopt;
}

// OIDC Core §6: request objects are optional and we do not support them; §6.1, §6.2 and
// §7.2.1 name the error for each.
std::optional<OAuthError> check_no_request_objects(const AuthorizationParams& params,
                                                   AuthorizationRequest&) {
  if (params.get(wire::kRequest)) {
    return OAuthError::request_not_supported("request objects are not supported");
  }
  if (params.get(wire::kRequestUri)) {
    return OAuthError::request_uri_not_supported("request_uri is not supported");
  }
  if (params.get(wire::kRegistration)) {
    return OAuthError::registration_not_supported("the registration parameter is not supported");
  }
  return std::nullopt;
}

// RFC 6749 §4.1.1: response_type=code, and nothing else (no implicit, no hybrid:
// RFC 9700 §2.1.2).
std::optional<OAuthError> check_response_type(const AuthorizationParams& params,
                                              AuthorizationRequest&) {
  const auto response_type = params.get(wire::kResponseType);
  if (!response_type) return OAuthError::invalid_request("response_type is missing");
  if (*response_type != wire::kCode) {
    return OAuthError::unsupported_response_type("only response_type=code is supported");
  }
  return std::nullopt;
}

std::optional<OAuthError> check_response_mode(const AuthorizationParams& params,
                                              AuthorizationRequest&) {
  if (const auto mode = params.get(wire::kResponseMode); mode && *mode != wire::kQuery) {
    return OAuthError::invalid_request("only response_mode=query is supported");
  }
  return std::nullopt;
}

// RFC 6749 §3.3: within what the client may ask for; when omitted, the client's default
// (everything it may ask for, except offline_access, which must be asked for).
std::optional<OAuthError> check_scope(const AuthorizationParams& params,
                                      AuthorizationRequest& request) {
  const ScopeSet allowed = to_scope_set(request.client.scopes);
  const auto text = params.get(wire::kScope);
  if (!text) {
    request.scope = allowed;
    request.scope.erase(std::string(kOfflineAccessScope));
    return std::nullopt;
  }
  auto scope = parse_scope(*text);
  if (!scope) return OAuthError::invalid_scope("scope is malformed");
  if (!is_subset(*scope, allowed)) {
    return OAuthError::invalid_scope("scope exceeds what this application may request");
  }
  request.scope = std::move(scope).value();
  return std::nullopt;
}

// RFC 7636 with RFC 9700 §2.1.1: S256 only, and required of public clients.
std::optional<OAuthError> check_pkce(const AuthorizationParams& params,
                                     AuthorizationRequest& request) {
  const auto challenge = params.get(wire::kCodeChallenge);
  const auto method = params.get(wire::kCodeChallengeMethod);
  if (method && !challenge) {
    return OAuthError::invalid_request("code_challenge_method without code_challenge");
  }
  if (!challenge) {
    if (request.client.confidential) return std::nullopt;
    return OAuthError::invalid_request(
        "PKCE is required for public clients: send code_challenge with "
        "code_challenge_method=S256");
  }
  // RFC 7636 §4.3: a missing method means plain, which we refuse like an explicit one.
  if (!method || *method != kPkceS256) {
    return OAuthError::invalid_request(
        "code_challenge_method must be S256 (plain is not supported)");
  }
  if (!is_valid_s256_challenge(*challenge)) {
    return OAuthError::invalid_request(
        "code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)");
  }
  request.code_challenge = challenge;
  return std::nullopt;
}

std::optional<OAuthError> check_nonce(const AuthorizationParams& params,
                                      AuthorizationRequest& request) {
  const auto nonce = params.get(wire::kNonce);
  if (!nonce) return std::nullopt;
  if (nonce->size() > kMaxNonce) return OAuthError::invalid_request("nonce is too long");
  // Stored with the code and copied into the ID token, where the client compares it byte
  // for byte: printable ASCII like state (RFC 6749 Appendix A.5), nothing a database or a
  // JSON encoder could alter.
  if (!is_vschar(*nonce)) return OAuthError::invalid_request("nonce must be printable ASCII");
  request.nonce = nonce;
  return std::nullopt;
}

std::optional<OAuthError> check_prompt(const AuthorizationParams& params,
                                       AuthorizationRequest& request) {
  const auto text = params.get(wire::kPrompt);
  if (!text) return std::nullopt;
  auto prompt = parse_prompt(*text);
  if (!prompt) {
    return OAuthError::invalid_request(
        "prompt must be none, or any of login, consent, select_account");
  }
  request.prompt = *prompt;
  return std::nullopt;
}

std::optional<OAuthError> check_max_age(const AuthorizationParams& params,
                                        AuthorizationRequest& request) {
  const auto text = params.get(wire::kMaxAge);
  if (!text) return std::nullopt;
  auto max_age = parse_max_age(*text);
  if (!max_age) return OAuthError::invalid_request("max_age must be a non-negative integer");
  request.max_age = max_age;
  return std::nullopt;
}

// A hint only: one too long to be a username is ignored rather than refused.
std::optional<OAuthError> read_login_hint(const AuthorizationParams& params,
                                          AuthorizationRequest& request) {
  if (const auto hint = params.get(wire::kLoginHint); hint && hint->size() <= kMaxLoginHint) {
    request.login_hint = hint;
  }
  return std::nullopt;
}

AuthorizeResult<AuthorizationRequest> validate_authorization_request(const RawParams& raw,
                                                                     ClientLookup& clients) {
  const AuthorizationParams params = collect_authorization_params(raw);
  auto on_page = [](OAuthError e) {
    return AuthorizeError{std::move(e), std::nullopt, std::nullopt};
  };
  auto client = check_client(params, clients);
  if (!client.ok()) return err(on_page(std::move(client).error()));
  auto redirect_uri = check_redirect_uri(params, *client);
  if (!redirect_uri.ok()) return err(on_page(std::move(redirect_uri).error()));

  // From here on, errors go back to the client.
  AuthorizationRequest request;
  request.client = std::move(client).value();
  request.redirect_uri = std::move(redirect_uri).value();
  for (const AuthorizationStage stage : kRedirectedStages) {
    if (auto refused = stage(params, request)) {
      return err(AuthorizeError{std::move(*refused), request.redirect_uri, echoable_state(params)});
    }
  }
  request.params = params.kept;
  return request;
}

}  // namespace keyward::grants
