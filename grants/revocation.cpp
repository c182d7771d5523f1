#include "grants/revocation.h"

#include "grants/access_token_verification.h"
#include "grants/client_storage_failure.h"
#include "grants/token_issuer.h"
#include "grants/wire.h"

namespace keyward::grants {
namespace {

OAuthError not_yours() {
  return OAuthError::unauthorized_client("the token was not issued to this client");
}

}  // namespace

Revocation::Revocation(const SigningKeys& keys, storage::RevocationRepository& revocations,
                       storage::RefreshTokenRepository& refresh_tokens,
                       storage::GrantRepository& grants, const Clock& clock, std::string issuer)
    : keys_(keys),
      revocations_(revocations),
      refresh_tokens_(refresh_tokens),
      grants_(grants),
      clock_(clock),
      issuer_(std::move(issuer)) {}

OAuthResult<Unit> Revocation::revoke(std::string_view token, const Client& client) {
  const TimePoint now = clock_.now();
  if (token.empty() || token.size() > jose::Jwt::kMaxCompactSize) return Unit{};
  if (looks_like_jwt(token)) {
    // An expired token needs no revoking, and one we cannot verify is not ours.
    auto jwt = verify_own_access_token(token, keys_, issuer_, AnyAudience{}, now);
    if (!jwt) return Unit{};
    const auto& claims = jwt->claims();
    if (claims[wire::kClientId].get_ref<const std::string&>() != client.id) {
      return err(not_yours());
    }
    const auto exp = std::chrono::seconds(static_cast<long long>(claims[wire::kExp].get<double>()));
    auto revoked = revocations_.revoke_access_token(
        claims[wire::kJti].get_ref<const std::string&>(),
        TimePoint(std::chrono::duration_cast<TimePoint::duration>(exp)));
    if (!revoked.ok()) return err(storage_failure(revoked.error(), "revocation"));
    return Unit{};
  }
  auto found = refresh_tokens_.find(TokenIssuer::refresh_token_hash(token));
  if (!found.ok()) return err(storage_failure(found.error(), "revocation"));
  if (!*found) return Unit{};
  if ((*found)->client_id != client.id) return err(not_yours());
  // Rotated and expired tokens revoke their grant too: the holder of any token of the
  // chain is asking for it to end.
  auto revoked = grants_.revoke((*found)->grant_id, now);
  if (!revoked.ok()) return err(storage_failure(revoked.error(), "revocation"));
  return Unit{};
}

}  // namespace keyward::grants
