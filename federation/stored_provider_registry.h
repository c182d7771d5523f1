#pragma once
// ProviderRegistry over storage: the providers `keyward idp` registered, their secrets
// opened with the master key, each kept as one long-lived UpstreamClient (so its discovery
// document and JWKS stay cached) until its row changes. The table is read again at most
// every reload_interval, by one caller while the others go on with the list they have; a
// failed read keeps the last list (and is logged), as does a provider whose secret does not
// open (logged, and left out: its button would only lead to an error).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "federation/provider_registry.h"
#include "federation/upstream_client.h"
#include "resource_server/http_fetcher.h"
#include "storage/database.h"
#include "storage/identity_provider_repository.h"

namespace keyward::federation {

struct ProviderRegistryOptions {
  // Keyward's issuer: the redirect URI is callback_redirect_uri(issuer).
  std::string keyward_issuer;
  std::chrono::seconds reload_interval{30};
  // After a failed read of the table, the next attempt waits this long.
  std::chrono::seconds retry_interval{5};
  // For every provider's UpstreamClient; its redirect_uri is set from keyward_issuer.
  UpstreamOptions upstream;
};

class StoredProviderRegistry final : public ProviderRegistry {
 public:
  // `database`, `clock` and `logger` must outlive the registry, and the registry every
  // Upstream it hands out. `master_key` is the 32-byte KEYWARD_MASTER_KEY.
  StoredProviderRegistry(storage::Database& database, std::string_view master_key,
                         std::shared_ptr<rs::HttpFetcher> fetcher,
                         std::shared_ptr<UpstreamPoster> poster, const Clock& clock, Logger& logger,
                         ProviderRegistryOptions options);

  [[nodiscard]] std::vector<ProviderButton> buttons() override;
  [[nodiscard]] std::shared_ptr<Upstream> find(std::string_view name) override;

  // Reads the table now, whatever the interval (start-up, tests); false when the read
  // failed and the last list stays.
  bool reload();

 private:
  struct Entry {
    storage::IdentityProviderRecord record;
    std::shared_ptr<Upstream> upstream;  // null when the secret does not open
  };
  using Snapshot = std::vector<Entry>;  // in name order

  [[nodiscard]] std::shared_ptr<const Snapshot> current();
  // Call with reload_mutex_ held.
  bool reload_locked();
  [[nodiscard]] std::shared_ptr<Upstream> make_upstream(
      const storage::IdentityProviderRecord& record);

  storage::IdentityProviderRepository repository_;
  const std::string secret_key_;
  std::shared_ptr<rs::HttpFetcher> fetcher_;
  std::shared_ptr<UpstreamPoster> poster_;
  const Clock& clock_;
  Logger& logger_;
  ProviderRegistryOptions options_;

  std::mutex reload_mutex_;   // one reload at a time
  mutable std::mutex mutex_;  // guards the two below; never held during a reload
  std::shared_ptr<const Snapshot> snapshot_;
  TimePoint next_reload_{};
};

// What the composition calls: a StoredProviderRegistry with libcurl for discovery, JWKS,
// the token and the userinfo endpoints (rs::CurlFetcher, CurlPoster). Nothing is read
// until the first call.
[[nodiscard]] std::unique_ptr<ProviderRegistry> make_provider_registry(
    storage::Database& database, std::string_view master_key, const Clock& clock, Logger& logger,
    ProviderRegistryOptions options);

}  // namespace keyward::federation
