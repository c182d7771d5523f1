#include "grants/authorize.h"

#include "common/crypto.h"
#include "grants/authorize_stages.h"
#include "grants/client_storage_failure.h"
#include "grants/wire.h"

namespace keyward::grants {

Authorizer::Authorizer(ClientLookup& clients, storage::ConsentRepository& consents,
                       storage::CodeRepository& codes, const Clock& clock, AuthorizeConfig config)
    : clients_(clients),
      consents_(consents),
      codes_(codes),
      clock_(clock),
      config_(std::move(config)) {}

AuthorizeResult<AuthorizationRequest> Authorizer::validate(const RawParams& raw) {
  return validate_authorization_request(raw, clients_);
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
      return err(fail(OAuthError::login_required("the user is not signed in")));
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
      return err(fail(OAuthError::consent_required("the user has not allowed this yet")));
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
  row.amr = user.amr;
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
  response.params.emplace_back(wire::kCode, code);
  if (request.state) response.params.emplace_back(wire::kState, *request.state);
  response.params.emplace_back(wire::kIss, config_.issuer);  // RFC 9207 §2
  return response;
}

AuthorizeError Authorizer::denied(const AuthorizationRequest& request) const {
  return AuthorizeError{OAuthError::access_denied("the user denied the request"),
                        request.redirect_uri, request.state};
}

AuthorizationResponse Authorizer::error_response(const AuthorizeError& e) const {
  AuthorizationResponse response;
  response.redirect_uri = e.redirect_uri.value_or("");
  response.params.emplace_back(wire::kError, std::string(e.error.wire_name()));
  // A 5xx never describes its cause (DESIGN.md "Errors").
  if (e.error.code == ErrorCode::ServerError) {
    response.params.emplace_back(wire::kErrorDescription, "internal error");
  } else if (!e.error.description.empty()) {
    response.params.emplace_back(wire::kErrorDescription, e.error.description);
  }
  if (e.state) response.params.emplace_back(wire::kState, *e.state);
  response.params.emplace_back(wire::kIss, config_.issuer);  // RFC 9207 §2: errors too
  return response;
}

RawParams Authorizer::params_after_login(const AuthorizationRequest& request) {
  RawParams out;
  for (const auto& [name, value] : request.params) {
    if (name == wire::kMaxAge) continue;
    if (name == wire::kPrompt) {
      // Keep only consent: login and select_account are done; none cannot be here (it
      // never shows a login form).
      if (request.prompt.consent) out.emplace_back(name, wire::kPromptConsent);
      continue;
    }
    out.emplace_back(name, value);
  }
  return out;
}

}  // namespace keyward::grants
