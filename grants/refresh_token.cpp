#include "grants/refresh_token.h"

#include <array>

#include "grants/client_storage_failure.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::array<std::string_view, 2> kParameters = {wire::kRefreshTokenParam, wire::kScope};

// One description for every dead token: the client learns nothing it could probe with.
constexpr std::string_view kInvalid = "the refresh token is invalid, expired or revoked";

}  // namespace

RefreshTokenGrant::RefreshTokenGrant(storage::RefreshTokenRepository& tokens,
                                     const TokenIssuer& issuer)
    : tokens_(tokens), issuer_(issuer) {}

std::string_view RefreshTokenGrant::grant_type() const {
  return wire::kRefreshToken;
}

std::span<const std::string_view> RefreshTokenGrant::parameters() const {
  return kParameters;
}

OAuthResult<TokenResponse> RefreshTokenGrant::handle(const TokenRequest& request,
                                                     const Client& client) {
  const auto presented = request.param(wire::kRefreshTokenParam);
  if (!presented) return err(OAuthError::invalid_request("refresh_token is required"));
  // RFC 6749 §6: the scope may narrow but "MUST NOT include any scope not originally
  // granted"; checked against the token's scopes in the rotation itself.
  ScopeSet requested;
  if (const auto text = request.param(wire::kScope)) {
    auto parsed = parse_scope(*text);
    if (!parsed) return err(OAuthError::invalid_scope("scope is malformed (RFC 6749 §3.3)"));
    requested = std::move(parsed).value();
  }

  if (auto ready = issuer_.ready(); !ready.ok()) return err(std::move(ready).error());
  const auto successor = TokenIssuer::refresh_token();
  const TimePoint now = issuer_.now();
  auto rotation = tokens_.rotate(TokenIssuer::refresh_token_hash(*presented), client.id,
                                 std::vector<std::string>(requested.begin(), requested.end()),
                                 successor.hash, now);
  if (!rotation.ok()) return err(storage_failure(rotation.error(), "refresh token rotation"));

  using Outcome = storage::Rotation::Outcome;
  switch (rotation->outcome) {
    case Outcome::Rotated:
      break;
    case Outcome::NotFound:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "unknown refresh token"));
    case Outcome::WrongClient:
      // RFC 6749 §10.4: bound to the client it was issued to.
      return err(OAuthError::invalid_grant(
          std::string(kInvalid), "refresh token of client " + rotation->token->client_id));
    case Outcome::AlreadyRotated:
      return err(OAuthError::invalid_grant(
          "the refresh token was already used; its grant is revoked",
          "refresh token reuse: grant " + rotation->token->grant_id +
              (rotation->grant_revoked ? " revoked" : " was already revoked")));
    case Outcome::Expired:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "refresh token expired"));
    case Outcome::GrantInactive:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "grant revoked or expired"));
    case Outcome::UserDisabled:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "user disabled"));
    case Outcome::ScopeNotGranted:
      return err(OAuthError::invalid_scope("scope exceeds what the refresh token was granted"));
  }

  const auto& token = *rotation->token;
  // The narrowed (or original) scope, less anything the client may no longer ask for.
  const ScopeSet granted = requested.empty() ? to_scope_set(token.scopes) : requested;
  const ScopeSet allowed = to_scope_set(client.scopes);
  ScopeSet scope;
  for (const auto& s : granted) {
    if (allowed.count(s) != 0) scope.insert(s);
  }

  AccessTokenClaims claims;
  claims.subject = token.user_id.value_or(client.id);
  claims.client_id = client.id;
  claims.audiences = client.audiences;
  claims.scope = std::move(scope);
  claims.grant_id = token.grant_id;
  claims.not_after = token.expires_at;
  auto access = issuer_.access_token(claims);
  if (!access.ok()) return err(std::move(access).error());

  TokenResponse response;
  response.access_token = std::move(access->token);
  response.expires_in = access->expires_in;
  response.scope = format_scope(claims.scope);
  response.refresh_token = successor.token;
  return response;
}

}  // namespace keyward::grants
