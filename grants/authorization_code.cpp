#include "grants/authorization_code.h"

#include <array>

#include "common/crypto.h"
#include "grants/client_storage_failure.h"
#include "grants/pkce.h"
#include "grants/user.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::array<std::string_view, 3> kParameters = {wire::kCode, wire::kRedirectUri,
                                                         wire::kCodeVerifier};

// One description for every dead code: the client learns nothing it could probe with.
constexpr std::string_view kInvalid = "the authorization code is invalid, expired or revoked";

}  // namespace

AuthorizationCodeGrant::AuthorizationCodeGrant(
    storage::CodeRepository& codes, storage::GrantRepository& grants,
    storage::RefreshTokenRepository& refresh_tokens, storage::UserRepository& users,
    const TokenIssuer& tokens, const IdTokenIssuer& id_tokens, audit::EventSink& events)
    : codes_(codes),
      grants_(grants),
      refresh_tokens_(refresh_tokens),
      users_(users),
      tokens_(tokens),
      id_tokens_(id_tokens),
      events_(events) {}

std::string_view AuthorizationCodeGrant::grant_type() const {
  return wire::kAuthorizationCode;
}

std::span<const std::string_view> AuthorizationCodeGrant::parameters() const {
  return kParameters;
}

OAuthResult<TokenResponse> AuthorizationCodeGrant::handle(const TokenRequest& request,
                                                          const Client& client) {
  // RFC 6749 §4.1.3: code and redirect_uri are REQUIRED (we always require redirect_uri
  // at the authorization endpoint, so it is always required here).
  const auto code = request.param(wire::kCode);
  if (!code) return err(OAuthError::invalid_request("code is required"));
  const auto redirect_uri = request.param(wire::kRedirectUri);
  if (!redirect_uri) return err(OAuthError::invalid_request("redirect_uri is required"));
  const auto verifier = request.param(wire::kCodeVerifier);
  if (auto ready = tokens_.ready(); !ready.ok()) return err(std::move(ready).error());

  const TimePoint now = tokens_.now();
  auto consumed = codes_.consume(sha256(*code), client.id, now);
  if (!consumed.ok()) return err(storage_failure(consumed.error(), "code consumption"));

  using Outcome = storage::CodeConsumption::Outcome;
  switch (consumed->outcome) {
    case Outcome::Consumed:
      break;
    case Outcome::NotFound:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "unknown code"));
    case Outcome::WrongClient:
      // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the
      // authenticated confidential client, or ... public client".
      return err(OAuthError::invalid_grant(std::string(kInvalid), "code of another client"));
    case Outcome::AlreadyConsumed:
      events_.record(audit::Event{.type = audit::EventType::CodeReplayed,
                                  .user_id = consumed->code->user_id,
                                  .client_id = client.id,
                                  .address = request.meta.client_ip,
                                  .request_id = request.meta.request_id,
                                  .detail = {{"grant_id", consumed->code->grant_id},
                                             {"grant_revoked", consumed->grant_revoked}}});
      return err(OAuthError::invalid_grant(
          "the authorization code was already used; its grant is revoked",
          "code replay: grant " + consumed->code->grant_id +
              (consumed->grant_revoked ? " revoked" : " was already revoked")));
    case Outcome::Expired:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "code expired"));
    case Outcome::GrantInactive:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "grant revoked or expired"));
    case Outcome::UserDisabled:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "user disabled"));
  }
  const storage::CodeRecord& c = *consumed->code;

  // The code is spent either way; a mismatch below also revokes its grant, so nothing
  // of it survives a redemption attempt by whoever holds a stolen code.
  auto refuse = [&](std::string description, std::string log) -> OAuthResult<TokenResponse> {
    (void)grants_.revoke(c.grant_id, now);
    return err(OAuthError::invalid_grant(std::move(description), std::move(log)));
  };
  // RFC 6749 §4.1.3: identical to the redirect_uri of the authorization request.
  if (*redirect_uri != c.redirect_uri) {
    return refuse("redirect_uri does not match the authorization request", "redirect_uri mismatch");
  }
  if (c.code_challenge) {
    // RFC 7636 §4.6.
    if (!verifier) return refuse("code_verifier is required", "missing code_verifier");
    if (!pkce_verify(*verifier, *c.code_challenge)) {
      return refuse("code_verifier does not match the code_challenge", "PKCE mismatch");
    }
  } else if (verifier) {
    // RFC 9700 §4.8.2: a verifier for a code issued without a challenge means the
    // challenge was stripped from the authorization request (PKCE downgrade).
    return refuse("code_verifier sent for a code issued without a code_challenge",
                  "PKCE downgrade");
  }

  auto found = users_.find_by_id(c.user_id);
  if (!found.ok()) return err(storage_failure(found.error(), "user lookup"));
  if (!*found || (*found)->disabled) {
    return refuse(std::string(kInvalid), "user deleted or disabled");
  }
  const User user = to_user(**found);
  const ScopeSet scope = to_scope_set(c.scopes);

  std::optional<MintedRefreshToken> refresh;
  if (client.allows_grant(wire::kRefreshToken)) {
    refresh = TokenIssuer::refresh_token();
    auto stored = refresh_tokens_.insert(storage::NewRefreshToken{
        refresh->hash, c.grant_id, client.id, c.scopes, now, c.grant_expires_at});
    if (!stored.ok()) return err(storage_failure(stored.error(), "refresh token"));
  }

  AccessTokenClaims claims;
  claims.subject = user.id;
  claims.client_id = client.id;
  claims.audiences = client.audiences;
  claims.scope = scope;
  claims.grant_id = c.grant_id;
  claims.not_after = c.grant_expires_at;
  auto access = tokens_.access_token(claims);
  if (!access.ok()) return err(std::move(access).error());

  TokenResponse response;
  response.access_token = access->token;
  response.expires_in = access->expires_in;
  response.scope = format_scope(scope);
  response.user_id = user.id;
  if (refresh) response.refresh_token = std::move(refresh->token);
  // OIDC Core §3.1.3.3: an ID token when the request was an OpenID one.
  if (scope.count(std::string(kOpenIdScope)) != 0) {
    IdTokenClaims id;
    id.client_id = client.id;
    id.user = user;
    id.scope = scope;
    id.auth_time = c.auth_time;
    id.amr = c.amr;
    id.nonce = c.nonce;
    id.access_token = access->token;
    auto id_token = id_tokens_.issue(id);
    if (!id_token.ok()) return err(std::move(id_token).error());
    response.id_token = std::move(id_token).value();
  }
  return response;
}

}  // namespace keyward::grants
