#include "grants/authorize.h"

#include <algorithm>
#include <charconv>

#include "common/crypto.h"
#include "common/text.h"
#include "grants/client_storage_failure.h"
#include "grants/pkce.h"
#include "grants/redirect_uri.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::string_view kClientId = "client_id";
constexpr std::string_view kRedirectUri = "redirect_uri";
constexpr std::string_view kResponseType = "response_type";
constexpr std::string_view kResponseMode = "response_mode";
constexpr std::string_view kState = "state";
constexpr std::string_view kNonce = "nonce";
constexpr std::string_view kCodeChallenge = "code_challenge";
constexpr std::string_view kCodeChallengeMethod = "code_challenge_method";
constexpr std::string_view kPrompt = "prompt";
constexpr std::string_view kMaxAge = "max_age";
constexpr std::string_view kLoginHint = "login_hint";

// Bounds on values we store or echo into pages; far above what real clients send.
constexpr size_t kMaxNonce = 512;
constexpr size_t kMaxLoginHint = 255;
constexpr size_t kMaxState = 2048;

bool recognised(std::string_view name) {
  return std::find(std::begin(kAuthorizationParameters), std::end(kAuthorizationParameters),
                   name) != std::end(kAuthorizationParameters);
}

// The recognised parameters, in order; RFC 6749 §3.1: "Parameters sent without a value
// MUST be treated as if they were omitted from the request."
struct Params {
  RawParams kept;
  std::vector<std::string> repeated;

  [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
    for (const auto& [n, v] : kept) {
      if (n == name) return v;
    }
    return std::nullopt;
  }
};

Params collect(const RawParams& raw) {
  Params out;
  for (const auto& [name, value] : raw) {
    if (!recognised(name) || value.empty()) continue;
    if (out.get(name)) {
      if (std::find(out.repeated.begin(), out.repeated.end(), name) == out.repeated.end()) {
        out.repeated.push_back(name);
      }
      continue;
    }
    out.kept.emplace_back(name, value);
  }
  return out;
}

AuthorizeError page_error(OAuthError e) {
  return AuthorizeError{std::move(e), std::nullopt, std::nullopt};
}

OAuthError error(ErrorCode code, std::string description) {
  return OAuthError{code, std::move(description), {}};
}

// OIDC Core §3.1.2.1: space-delimited, case-sensitive.
std::optional<Prompt> parse_prompt(std::string_view text) {
  auto scopes = parse_scope(text);  // the same grammar: tokens separated by single spaces
  if (!scopes) return std::nullopt;
  Prompt p;
  for (const auto& value : *scopes) {
    if (value == "none") {
      p.none = true;
    } else if (value == "login" || value == "select_account") {
      p.login = true;
    } else if (value == "consent") {
      p.consent = true;
    } else {
      return std::nullopt;
    }
  }
  // "If this parameter contains none with any other value, an error is returned."
  if (p.none && scopes->size() > 1) return std::nullopt;
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

Authorizer::Authorizer(ClientCache& clients, storage::ConsentRepository& consents,
                       storage::CodeRepository& codes, const Clock& clock, AuthorizeConfig config)
    : clients_(clients),
      consents_(consents),
      codes_(codes),
      clock_(clock),
      config_(std::move(config)) {}

AuthorizeResult<AuthorizationRequest> Authorizer::validate(const RawParams& raw) {
  const Params params = collect(raw);
  auto is_repeated = [&](std::string_view name) {
    return std::find(params.repeated.begin(), params.repeated.end(), name) != params.repeated.end();
  };

  // 1. The client, shown on a page when anything is wrong with it.
  if (is_repeated(kClientId)) {
    return err(page_error(OAuthError::invalid_request("client_id is repeated")));
  }
  const auto client_id = params.get(kClientId);
  if (!client_id) return err(page_error(OAuthError::invalid_request("client_id is missing")));
  auto found = clients_.find(*client_id);
  if (!found.ok()) return err(page_error(storage_failure(found.error(), "client lookup")));
  if (!*found) {
    return err(page_error(
        OAuthError::invalid_request("this application is not registered", "unknown client_id")));
  }
  const Client& client = (*found)->client;

  // 2. The redirect_uri: OIDC Core §3.1.2.1 makes it REQUIRED, and it must be one the
  // client registered, exactly (RFC 9700 §4.1.3: no prefix, no wildcard, no port
  // freedom). Until it is verified nothing is sent to it.
  if (is_repeated(kRedirectUri)) {
    return err(page_error(OAuthError::invalid_request("redirect_uri is repeated")));
  }
  const auto redirect_uri = params.get(kRedirectUri);
  if (!redirect_uri) {
    return err(page_error(OAuthError::invalid_request("redirect_uri is missing")));
  }
  if (!redirect_uri_registered(*redirect_uri, client.redirect_uris)) {
    return err(page_error(
        OAuthError::invalid_request("redirect_uri is not registered for this application",
                                    "unregistered redirect_uri for client " + client.id)));
  }

  // From here on, errors go back to the client.
  const auto state = params.get(kState);
  auto fail = [&](OAuthError e) -> AuthorizeError {
    // A state too long to echo is not echoed (and the request fails below).
    std::optional<std::string> echoed =
        state && state->size() <= kMaxState && is_vschar(*state) ? state : std::nullopt;
    return AuthorizeError{std::move(e), *redirect_uri, std::move(echoed)};
  };

  if (!client.allows_grant(wire::kAuthorizationCode)) {
    return err(fail(OAuthError::unauthorized_client(
        "this application may not use the authorization code flow")));
  }
  // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
  if (!params.repeated.empty()) {
    return err(
        fail(OAuthError::invalid_request("parameter " + params.repeated.front() + " is repeated")));
  }
  if (state && state->size() > kMaxState) {
    return err(fail(OAuthError::invalid_request("state is too long")));
  }
  // RFC 6749 Appendix A.5: state = 1*VSCHAR. It is echoed into a Location header and
  // compared by the client, so nothing else is accepted (and such a state is not echoed).
  if (state && !is_vschar(*state)) {
    return err(fail(OAuthError::invalid_request("state must be printable ASCII")));
  }
  // OIDC Core §6: request objects are optional and we do not support them; §6.1, §6.2
  // and §7.2.1 name the error for each.
  if (params.get("request")) {
    return err(fail(OAuthError::request_not_supported("request objects are not supported")));
  }
  if (params.get("request_uri")) {
    return err(fail(OAuthError::request_uri_not_supported("request_uri is not supported")));
  }
  if (params.get("registration")) {
    return err(fail(
        OAuthError::registration_not_supported("the registration parameter is not supported")));
  }

  // RFC 6749 §4.1.1: response_type=code, and nothing else (no implicit, no hybrid:
  // RFC 9700 §2.1.2).
  const auto response_type = params.get(kResponseType);
  if (!response_type) return err(fail(OAuthError::invalid_request("response_type is missing")));
  if (*response_type != "code") {
    return err(
        fail(error(ErrorCode::UnsupportedResponseType, "only response_type=code is supported")));
  }
  if (const auto mode = params.get(kResponseMode); mode && *mode != "query") {
    return err(fail(OAuthError::invalid_request("only response_mode=query is supported")));
  }

  AuthorizationRequest request;
  request.client = client;
  request.redirect_uri = *redirect_uri;
  request.state = state;

  // RFC 6749 §3.3: within what the client may ask for; when omitted, the client's
  // default (everything it may ask for, except offline_access, which must be asked for).
  const ScopeSet allowed = to_scope_set(client.scopes);
  if (const auto text = params.get(wire::kScope)) {
    auto scope = parse_scope(*text);
    if (!scope) return err(fail(OAuthError::invalid_scope("scope is malformed")));
    if (!is_subset(*scope, allowed)) {
      return err(
          fail(OAuthError::invalid_scope("scope exceeds what this application may request")));
    }
    request.scope = std::move(scope).value();
  } else {
    request.scope = allowed;
    request.scope.erase("offline_access");
  }

  // RFC 7636 with RFC 9700 §2.1.1: S256 only.
  const auto challenge = params.get(kCodeChallenge);
  const auto method = params.get(kCodeChallengeMethod);
  if (method && !challenge) {
    return err(fail(OAuthError::invalid_request("code_challenge_method without code_challenge")));
  }
  if (challenge) {
    // RFC 7636 §4.3: a missing method means plain, which we refuse like an explicit one.
    if (!method || *method != kPkceS256) {
      return err(fail(OAuthError::invalid_request(
          "code_challenge_method must be S256 (plain is not supported)")));
    }
    if (!is_valid_s256_challenge(*challenge)) {
      return err(fail(OAuthError::invalid_request(
          "code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)")));
    }
    request.code_challenge = challenge;
  } else if (!client.confidential) {
    // RFC 9700 §2.1.1: public clients MUST use PKCE.
    return err(fail(
        OAuthError::invalid_request("PKCE is required for public clients: send code_challenge with "
                                    "code_challenge_method=S256")));
  }

  if (const auto nonce = params.get(kNonce)) {
    if (nonce->size() > kMaxNonce)
      return err(fail(OAuthError::invalid_request("nonce is too long")));
    // Stored with the code and copied into the ID token, where the client compares it
    // byte for byte: printable ASCII like state (RFC 6749 Appendix A.5), nothing a
    // database or a JSON encoder could alter.
    if (!is_vschar(*nonce)) {
      return err(fail(OAuthError::invalid_request("nonce must be printable ASCII")));
    }
    request.nonce = nonce;
  }
  if (const auto text = params.get(kPrompt)) {
    auto prompt = parse_prompt(*text);
    if (!prompt) {
      return err(fail(OAuthError::invalid_request(
          "prompt must be none, or any of login, consent, select_account")));
    }
    request.prompt = *prompt;
  }
  if (const auto text = params.get(kMaxAge)) {
    auto max_age = parse_max_age(*text);
    if (!max_age) {
      return err(fail(OAuthError::invalid_request("max_age must be a non-negative integer")));
    }
    request.max_age = max_age;
  }
  if (const auto hint = params.get(kLoginHint); hint && hint->size() <= kMaxLoginHint) {
    request.login_hint = hint;
  }
  request.params = params.kept;
  return request;
}

AuthorizeResult<NextStep> Authorizer::next_step(const AuthorizationRequest& request,
                                                const std::optional<SignedIn>& user) {
  auto fail = [&](OAuthError e) {
    return AuthorizeError{std::move(e), request.redirect_uri, request.state};
  };
  const TimePoint now = clock_.now();
  // OIDC Core §3.1.2.1 max_age: "If the elapsed time is greater than this value, the OP
  // MUST attempt to actively re-authenticate the End-User."
  const bool too_old = user && request.max_age && now - user->auth_time > *request.max_age;
  if (!user || request.prompt.login || too_old) {
    if (request.prompt.none) {
      return err(fail(error(ErrorCode::LoginRequired, "the user is not signed in")));
    }
    return NextStep::Login;
  }

  bool needs_consent = request.prompt.consent;
  if (!needs_consent && !request.client.first_party) {
    auto remembered = consents_.find(user->user_id, request.client.id);
    if (!remembered.ok()) return err(fail(storage_failure(remembered.error(), "consent lookup")));
    needs_consent = !*remembered || !is_subset(request.scope, to_scope_set(**remembered));
  }
  if (needs_consent) {
    if (request.prompt.none) {
      return err(fail(error(ErrorCode::ConsentRequired, "the user has not allowed this yet")));
    }
    return NextStep::Consent;
  }
  return NextStep::IssueCode;
}

AuthorizeResult<Unit> Authorizer::remember_consent(const AuthorizationRequest& request,
                                                   std::string_view user_id) {
  auto stored = consents_.remember(
      user_id, request.client.id,
      std::vector<std::string>(request.scope.begin(), request.scope.end()), clock_.now());
  if (!stored.ok()) {
    return err(AuthorizeError{storage_failure(stored.error(), "consent"), request.redirect_uri,
                              request.state});
  }
  return Unit{};
}

AuthorizeResult<AuthorizationResponse> Authorizer::issue_code(const AuthorizationRequest& request,
                                                              const SignedIn& user) {
  const TimePoint now = clock_.now();
  const std::string code = random_token();  // 256 bits (DESIGN.md "Tokens")

  storage::NewGrant grant;
  grant.id = random_token(16);
  grant.client_id = request.client.id;
  grant.user_id = user.user_id;
  grant.session_id_hash = user.session_id_hash;
  grant.scopes.assign(request.scope.begin(), request.scope.end());
  grant.created_at = now;
  grant.expires_at = now + config_.grant_ttl;

  storage::NewCode row;
  row.code_hash = sha256(code);
  row.redirect_uri = request.redirect_uri;
  row.code_challenge = request.code_challenge;
  row.nonce = request.nonce;
  row.auth_time = user.auth_time;
  row.expires_at = now + config_.code_ttl;

  auto stored = codes_.create_with_grant(grant, row);
  if (!stored.ok()) {
    OAuthError e = stored.error().code == storage::StorageErrorCode::ForeignKeyViolation
                       ? OAuthError::access_denied("the sign-in ended before it completed",
                                                   "client, user or session deleted")
                       : storage_failure(stored.error(), "code issuance");
    return err(AuthorizeError{std::move(e), request.redirect_uri, request.state});
  }

  AuthorizationResponse response;
  response.redirect_uri = request.redirect_uri;
  response.params.emplace_back("code", code);
  if (request.state) response.params.emplace_back("state", *request.state);
  response.params.emplace_back("iss", config_.issuer);  // RFC 9207 §2
  return response;
}

AuthorizeError Authorizer::denied(const AuthorizationRequest& request) const {
  return AuthorizeError{OAuthError::access_denied("the user denied the request"),
                        request.redirect_uri, request.state};
}

AuthorizationResponse Authorizer::error_response(const AuthorizeError& e) const {
  AuthorizationResponse response;
  response.redirect_uri = e.redirect_uri.value_or("");
  response.params.emplace_back("error", std::string(e.error.wire_name()));
  // A 5xx never describes its cause (DESIGN.md "Errors").
  if (e.error.code == ErrorCode::ServerError) {
    response.params.emplace_back("error_description", "internal error");
  } else if (!e.error.description.empty()) {
    response.params.emplace_back("error_description", e.error.description);
  }
  if (e.state) response.params.emplace_back("state", *e.state);
  response.params.emplace_back("iss", config_.issuer);  // RFC 9207 §2: errors too
  return response;
}

RawParams Authorizer::params_after_login(const AuthorizationRequest& request) {
  RawParams out;
  for (const auto& [name, value] : request.params) {
    if (name == kMaxAge) continue;
    if (name == kPrompt) {
      // Keep only consent: login and select_account are done; none cannot be here (it
      // never shows a login form).
      if (request.prompt.consent) out.emplace_back(name, "consent");
      continue;
    }
    out.emplace_back(name, value);
  }
  return out;
}

}  // namespace keyward::grants
