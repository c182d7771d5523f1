#pragma once
// The client credentials grant (RFC 6749 §4.4): a confidential client gets an access
// token for itself. The hot path is one HMAC (client authentication, cached client) and
// one signature: no database write per token (DESIGN.md "Tokens"). The token's gid names
// the client's standing grant (migration 0005), created on its first token and cached
// here, so introspection and revocation can still kill every token of the client.
#include <chrono>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "grants/grant_handler.h"
#include "grants/token_issuer.h"
#include "storage/grant_repository.h"

namespace keyward::grants {

struct StandingGrantOptions {
  // How long a standing grant lives; it is succeeded once it would end before a new
  // token does.
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365)};
  // Backstop for changes made by other instances (a revoked or deleted grant): each
  // instance re-reads a client's standing grant at least this often.
  std::chrono::seconds cache_ttl{60};
};

// Per-process cache of each client's standing grant. Thread-safe.
//
// Not dropped on a client change (NOTIFY keyward_clients), since none makes an entry wrong:
// a standing grant holds the client's scopes, which `keyward client` never changes; a
// rotated secret, first-party flag or introspection right is not part of it; a deleted
// client's entry is never read again (it can no longer authenticate, and client ids are
// never reused). What can make an entry stale is the grant itself being revoked or
// deleted, which is not a client change: cache_ttl bounds that.
class StandingGrants {
 public:
  StandingGrants(storage::GrantRepository& grants, const Clock& clock,
                 std::chrono::seconds access_token_ttl, StandingGrantOptions options = {});

  // The client's standing grant, valid for at least one more access-token lifetime:
  // from the cache, else from the database (created if missing).
  [[nodiscard]] OAuthResult<storage::StandingGrant> get(const Client& client);

 private:
  struct Slot {
    storage::StandingGrant grant;
    TimePoint fetched_at;
  };

  storage::GrantRepository& grants_;
  const Clock& clock_;
  const std::chrono::seconds access_token_ttl_;
  const StandingGrantOptions options_;

  std::shared_mutex mutex_;
  std::unordered_map<std::string, Slot> slots_;
};

class ClientCredentialsGrant final : public GrantHandler {
 public:
  ClientCredentialsGrant(const TokenIssuer& issuer, StandingGrants& standing);

  [[nodiscard]] std::string_view grant_type() const override;
  [[nodiscard]] std::span<const std::string_view> parameters() const override;
  [[nodiscard]] OAuthResult<TokenResponse> handle(const TokenRequest& request,
                                                  const Client& client) override;

 private:
  const TokenIssuer& issuer_;
  StandingGrants& standing_;
};

}  // namespace keyward::grants
