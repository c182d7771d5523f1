#pragma once
// federation::Upstream over real HTTP: the upstream's discovery document (fetched through
// rs::HttpFetcher, kept for metadata_ttl), its JWKS (an rs::JwksCache on the discovered
// jwks_uri: the resource server's cache, with its rate-limited refetch on an unknown kid),
// the token endpoint and the userinfo endpoint (through UpstreamPoster). Thread-safe; the
// network calls block, so call it from the worker pool.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "federation/upstream.h"
#include "federation/upstream_metadata.h"
#include "resource_server/http_fetcher.h"
#include "resource_server/jwks_cache.h"

namespace keyward::federation {

struct UpstreamOptions {
  // Keyward's redirect URI at the upstream: {issuer}/federation/callback, registered there
  // by the operator and sent, character for character, in both requests (RFC 6749 §4.1.3).
  std::string redirect_uri;
  // Clock skew tolerated on the ID token's exp and iat.
  std::chrono::seconds leeway{60};
  // How long a discovery document is used before it is fetched again; a failed refetch
  // keeps the one we have.
  std::chrono::seconds metadata_ttl{3600};
  // After a failed discovery, the next attempt waits this long (a down upstream costs it
  // one request per interval, not one per sign-in).
  std::chrono::seconds retry_interval{5};
};

class UpstreamClient final : public Upstream {
 public:
  // `fetcher`, `poster` and `clock` must outlive the client. Nothing is fetched until the
  // first call. `jwks_events` hears of the JWKS cache's fetches and failures (for the log).
  UpstreamClient(ProviderSettings settings, rs::HttpFetcher& fetcher, UpstreamPoster& poster,
                 const Clock& clock, UpstreamOptions options, rs::JwksEventSink jwks_events = {});

  [[nodiscard]] const ProviderSettings& settings() const override { return settings_; }
  [[nodiscard]] Result<std::string, UpstreamError> authorization_url(
      const FlowSecrets& secrets, const Freshness& freshness) override;
  [[nodiscard]] std::string authorization_origin() override;
  [[nodiscard]] Result<UpstreamIdentity, UpstreamError> finish(const CallbackParams& callback,
                                                               const FlowSecrets& secrets,
                                                               const Freshness& freshness) override;

 private:
  struct Discovered {
    UpstreamMetadata metadata;
    std::shared_ptr<rs::JwksCache> keys;
    TimePoint fetched_at{};
  };
  struct Tokens {
    std::string id_token;
    std::string access_token;
  };

  // The discovery document (fetched when missing or older than metadata_ttl).
  [[nodiscard]] Result<std::shared_ptr<const Discovered>, UpstreamError> discovered();
  [[nodiscard]] Result<Tokens, UpstreamError> redeem_code(const UpstreamMetadata& metadata,
                                                          const std::string& code,
                                                          const FlowSecrets& secrets);
  [[nodiscard]] Result<nlohmann::json, UpstreamError> verify_id_token(const Discovered& upstream,
                                                                      const std::string& id_token,
                                                                      const FlowSecrets& secrets);
  [[nodiscard]] Result<Unit, UpstreamError> check_freshness(const nlohmann::json& claims,
                                                            const Freshness& freshness,
                                                            UpstreamIdentity& identity) const;
  [[nodiscard]] Result<Unit, UpstreamError> complete_from_userinfo(const std::string& endpoint,
                                                                   const std::string& access_token,
                                                                   UpstreamIdentity& identity);

  const ProviderSettings settings_;
  rs::HttpFetcher& fetcher_;
  UpstreamPoster& poster_;
  const Clock& clock_;
  const UpstreamOptions options_;
  const rs::JwksEventSink jwks_events_;

  std::mutex discovery_mutex_;  // one discovery at a time; guards the three below
  std::shared_ptr<const Discovered> discovered_;
  std::optional<TimePoint> last_failure_;
  UpstreamError last_error_;
};

}  // namespace keyward::federation
