#include "grants/password.h"

#include <array>

#include "common/crypto.h"
#include "grants/client_storage_failure.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::array<std::string_view, 3> kParameters = {wire::kUsername, wire::kPasswordParam,
                                                         wire::kScope};

}  // namespace

PasswordGrant::PasswordGrant(UserAuthenticator& users, storage::GrantRepository& grants,
                             const TokenIssuer& issuer)
    : users_(users), grants_(grants), issuer_(issuer) {}

std::string_view PasswordGrant::grant_type() const {
  return wire::kPassword;
}

std::span<const std::string_view> PasswordGrant::parameters() const {
  return kParameters;
}

OAuthResult<TokenResponse> PasswordGrant::handle(const TokenRequest& request,
                                                 const Client& client) {
  // RFC 9700 §2.4: this grant MUST NOT be used. Keyward keeps it for the operator's own
  // apps only: a confidential client marked first-party. A public client could not even
  // keep its own credentials, and a third party must never see a user's password.
  if (!client.confidential || !client.first_party) {
    return err(OAuthError::unauthorized_client(
        "the password grant is only for confidential first-party clients",
        client.confidential ? "client is not first-party" : "client is public"));
  }
  // RFC 6749 §4.3.2: username and password are REQUIRED.
  const auto username = request.param(wire::kUsername);
  const auto password = request.param(wire::kPasswordParam);
  if (!username) return err(OAuthError::invalid_request("username is required"));
  if (!password) return err(OAuthError::invalid_request("password is required"));
  // The cheap check before Argon2: a bad scope costs no password hash and no throttle
  // count.
  auto scope = requested_scope(request, to_scope_set(client.scopes));
  if (!scope.ok()) return err(std::move(scope).error());
  if (auto ready = issuer_.ready(); !ready.ok()) return err(std::move(ready).error());

  auto user =
      users_.sign_in(*username, *password,
                     SignInContext{client.id, request.meta.client_ip, request.meta.request_id});
  if (!user.ok()) return err(std::move(user).error());
  // UserAuthenticator already refuses disabled accounts; this holds whatever it does.
  if (user->disabled) {
    return err(OAuthError::invalid_grant("invalid username or password", "user disabled"));
  }

  const TimePoint now = issuer_.now();
  storage::NewGrant grant;
  grant.id = random_token(16);
  grant.client_id = client.id;
  grant.user_id = user->id;
  grant.scopes.assign(scope->begin(), scope->end());
  grant.created_at = now;
  // The grant bounds its refresh chain: rotation never extends it, so a password is
  // entered again at least once per KEYWARD_REFRESH_TOKEN_TTL.
  grant.expires_at = now + issuer_.config().refresh_token_ttl;

  std::optional<MintedRefreshToken> refresh;
  Result<Unit, storage::StorageError> stored = Unit{};
  if (client.allows_grant(wire::kRefreshToken)) {
    refresh = TokenIssuer::refresh_token();
    stored = grants_.create_with_refresh_token(
        grant, storage::NewRefreshToken{refresh->hash, grant.id, client.id, grant.scopes, now,
                                        grant.expires_at});
  } else {
    stored = grants_.create(grant);
  }
  if (!stored.ok()) {
    if (stored.error().code == storage::StorageErrorCode::ForeignKeyViolation) {
      // The client or the user was deleted while we checked the password.
      return err(OAuthError::invalid_grant("invalid username or password",
                                           "client or user deleted while issuing"));
    }
    return err(storage_failure(stored.error(), "password grant"));
  }

  AccessTokenClaims claims;
  claims.subject = user->id;
  claims.client_id = client.id;
  claims.audiences = client.audiences;
  claims.scope = std::move(scope).value();
  claims.grant_id = grant.id;
  claims.not_after = grant.expires_at;
  auto token = issuer_.access_token(claims);
  if (!token.ok()) return err(std::move(token).error());

  TokenResponse response;
  response.access_token = std::move(token->token);
  response.expires_in = token->expires_in;
  response.scope = format_scope(claims.scope);
  if (refresh) response.refresh_token = std::move(refresh->token);
  response.user_id = user->id;
  return response;
}

}  // namespace keyward::grants
