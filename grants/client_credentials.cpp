#include "grants/client_credentials.h"

#include <array>
#include <mutex>

#include "common/crypto.h"
#include "grants/client_storage_failure.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

constexpr std::array<std::string_view, 1> kParameters = {wire::kScope};

}  // namespace

StandingGrants::StandingGrants(storage::GrantRepository& grants, const Clock& clock,
                               std::chrono::seconds access_token_ttl, StandingGrantOptions options)
    : grants_(grants), clock_(clock), access_token_ttl_(access_token_ttl), options_(options) {}

OAuthResult<storage::StandingGrant> StandingGrants::get(const Client& client) {
  const TimePoint now = clock_.now();
  // The grant must outlast any token issued now (plus a second for rounding).
  const TimePoint min_expiry = now + access_token_ttl_ + std::chrono::seconds(1);
  {
    std::shared_lock lock(mutex_);
    auto it = slots_.find(client.id);
    if (it != slots_.end() && now - it->second.fetched_at < options_.cache_ttl &&
        it->second.grant.expires_at > min_expiry) {
      return it->second.grant;
    }
  }
  storage::NewGrant fresh;
  fresh.id = random_token(16);
  fresh.client_id = client.id;
  fresh.scopes = client.scopes;
  fresh.created_at = now;
  fresh.expires_at = now + options_.lifetime;
  auto grant = grants_.standing_grant(client.id, min_expiry, fresh);
  if (!grant.ok()) {
    // The client was deleted between authentication and now.
    if (grant.error().code == storage::StorageErrorCode::ForeignKeyViolation) {
      return err(OAuthError::invalid_client("client authentication failed",
                                            "client deleted while issuing"));
    }
    return err(storage_failure(grant.error(), "standing grant"));
  }
  std::unique_lock lock(mutex_);
  slots_[client.id] = Slot{grant.value(), now};
  return std::move(grant).value();
}

ClientCredentialsGrant::ClientCredentialsGrant(const TokenIssuer& issuer, StandingGrants& standing)
    : issuer_(issuer), standing_(standing) {}

std::string_view ClientCredentialsGrant::grant_type() const {
  return wire::kClientCredentials;
}

std::span<const std::string_view> ClientCredentialsGrant::parameters() const {
  return kParameters;
}

OAuthResult<TokenResponse> ClientCredentialsGrant::handle(const TokenRequest& request,
                                                          const Client& client) {
  // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential
  // clients." The registry refuses such clients too; this holds whatever the data says.
  if (!client.confidential) {
    return err(
        OAuthError::unauthorized_client("public clients may not use the client_credentials grant"));
  }
  auto scope = requested_scope(request, to_scope_set(client.scopes));
  if (!scope.ok()) return err(std::move(scope).error());
  auto grant = standing_.get(client);
  if (!grant.ok()) return err(std::move(grant).error());

  AccessTokenClaims claims;
  claims.subject = client.id;  // RFC 9068 §2.2: the client itself when no user is involved
  claims.client_id = client.id;
  claims.audiences = client.audiences;
  claims.scope = std::move(scope).value();
  claims.grant_id = grant->id;
  claims.not_after = grant->expires_at;
  auto token = issuer_.access_token(claims);
  if (!token.ok()) return err(std::move(token).error());

  // RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included."
  TokenResponse response;
  response.access_token = std::move(token->token);
  response.expires_in = token->expires_in;
  response.scope = format_scope(claims.scope);
  return response;
}

}  // namespace keyward::grants
