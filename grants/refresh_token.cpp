#include "grants/refresh_token.h"

#include <array>

#include "common/base64url.h"
#include "common/crypto.h"
#include "grants/client_storage_failure.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::array<std::string_view, 2> kParameters = {wire::kRefreshTokenParam, wire::kScope};

// One description for every dead token: the client learns nothing it could probe with.
constexpr std::string_view kInvalid = "the refresh token is invalid, expired or revoked";

constexpr std::string_view kSuccessorKeyInfo = "keyward refresh-successor v1";

}  // namespace

std::string refresh_successor_key(std::string_view master_key) {
  return hkdf_sha256(master_key, kSuccessorKeyInfo);
}

MintedRefreshToken successor_refresh_token(std::string_view successor_key,
                                           std::string_view presented) {
  MintedRefreshToken t;
  t.token = base64url_encode(hmac_sha256(successor_key, presented));
  t.hash = TokenIssuer::refresh_token_hash(t.token);
  return t;
}

RefreshTokenGrant::RefreshTokenGrant(storage::RefreshTokenRepository& tokens,
                                     const TokenIssuer& issuer, RefreshTokenPolicy policy,
                                     audit::EventSink& events)
    : tokens_(tokens), issuer_(issuer), policy_(std::move(policy)), events_(events) {}

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
  // Derived, not random, so that a retry of this very request names the same successor
  // (the header says why that is safe).
  const auto successor = successor_refresh_token(policy_.successor_key, *presented);
  const TimePoint now = issuer_.now();
  auto rotation = tokens_.rotate(TokenIssuer::refresh_token_hash(*presented), client.id,
                                 std::vector<std::string>(requested.begin(), requested.end()),
                                 successor.hash, now, policy_.reuse_grace);
  if (!rotation.ok()) return err(storage_failure(rotation.error(), "refresh token rotation"));

  using Outcome = storage::Rotation::Outcome;
  switch (rotation->outcome) {
    // Replayed: a retry within KEYWARD_REFRESH_REUSE_GRACE; the same successor again, a
    // fresh access token, the grant alive.
    case Outcome::Rotated:
    case Outcome::Replayed:
      break;
    case Outcome::NotFound:
      return err(OAuthError::invalid_grant(std::string(kInvalid), "unknown refresh token"));
    case Outcome::WrongClient:
      // RFC 6749 §10.4: bound to the client it was issued to.
      return err(OAuthError::invalid_grant(
          std::string(kInvalid), "refresh token of client " + rotation->token->client_id));
    case Outcome::AlreadyRotated:
      events_.record(audit::Event{.type = audit::EventType::RefreshReuseDetected,
                                  .user_id = rotation->token->user_id.value_or(""),
                                  .client_id = client.id,
                                  .address = request.meta.client_ip,
                                  .request_id = request.meta.request_id,
                                  .detail = {{"grant_id", rotation->token->grant_id},
                                             {"grant_revoked", rotation->grant_revoked}}});
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
  response.user_id = token.user_id.value_or("");
  return response;
}

}  // namespace keyward::grants
