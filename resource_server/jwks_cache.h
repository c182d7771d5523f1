#pragma once
// The issuer's signing keys as a resource server holds them (DESIGN.md "Shape"): found through
// OpenID Connect Discovery, fetched from jwks_uri, kept as long as the issuer's Cache-Control
// says within our bounds, refetched when a token names a kid we do not know (rate-limited), and
// kept in use for a bounded time while the issuer cannot be reached. Envoy's jwt_authn has the
// cache but no refetch on an unknown kid (its TODO); jwt_verify_lib has neither.
//
// Fetches run on the calling thread (the resource server calls from its worker pool), one at a
// time: callers that find fresh keys never wait; callers that find expired keys and see another
// fetch under way carry on with the keys they have; only callers with no usable keys at all, or
// after an unknown kid, wait for the fetch in progress.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "jose/jwks.h"
#include "resource_server/http_fetcher.h"

namespace keyward::rs {

struct JwksCacheOptions {
  // The issuer identifier: discovery must name exactly this string (OIDC Discovery 1.0 §4.3).
  std::string issuer;
  // Empty: issuer + "/.well-known/openid-configuration" (OIDC Discovery 1.0 §4).
  std::string discovery_url;
  // Set: used as is and discovery is skipped (e.g. when the issuer's public URL is not
  // reachable from where this service runs, as inside docker compose).
  std::string jwks_uri;

  // How long a JWKS is fresh: the response's Cache-Control max-age clamped to
  // [min_ttl, max_ttl]; default_ttl without one; min_ttl with no-store or no-cache.
  std::chrono::seconds default_ttl{300};
  std::chrono::seconds min_ttl{30};
  std::chrono::seconds max_ttl{3600};
  // At most one refetch per interval because of an unknown kid: a flood of tokens with made-up
  // kids costs the issuer one request per interval, not one per token.
  std::chrono::seconds refetch_interval{30};
  // After a failed fetch, the next attempt waits this long.
  std::chrono::seconds retry_interval{5};
  // Expired keys stay in use this long while fetches fail (stale-if-error, RFC 5861 §4), so an
  // issuer outage does not take every resource server down with it; a key the issuer has
  // withdrawn is therefore trusted at most max_ttl + stale_if_error after its withdrawal.
  std::chrono::seconds stale_if_error{3600};
};

// Why a fetch ran: the set had expired (or there was none yet), a token named an unknown
// kid, or refresh() was called (start-up warm-up).
enum class JwksFetchReason { Expired, UnknownKid, Refresh };
[[nodiscard]] std::string_view to_string(JwksFetchReason reason);  // "expired", ...

// What the cache tells the service's log and metrics; never key material.
struct JwksEvent {
  enum class Kind { Fetched, FetchFailed, ServingStale } kind;
  std::string message;
  JwksFetchReason reason = JwksFetchReason::Expired;  // Fetched, FetchFailed
  size_t keys = 0;                                    // Fetched: usable keys in the new set
  std::chrono::seconds ttl{0};                        // Fetched: how long the set is fresh
};
using JwksEventSink = std::function<void(const JwksEvent&)>;

class JwksCache {
 public:
  // `fetcher` and `clock` must outlive the cache. Nothing is fetched until the first call.
  JwksCache(HttpFetcher& fetcher, const Clock& clock, JwksCacheOptions options,
            JwksEventSink events = {});
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  using Keys = std::shared_ptr<const jose::Jwks>;

  // Keys to verify with now: fresh ones, or (while fetches fail) stale ones within
  // stale_if_error. Fetches first when the set has expired and no attempt failed within
  // retry_interval. The error says why there are no usable keys.
  [[nodiscard]] Result<Keys, std::string> get();

  // After jose::Status::JwtKidUnknown against `seen`: newer keys when another caller fetched
  // them meanwhile, or when a refetch is allowed (refetch_interval) and succeeds; nullopt
  // otherwise (rate-limited, failed, or nothing newer).
  [[nodiscard]] std::optional<Keys> refetch_for_unknown_kid(const Keys& seen);

  // Fetches now, whatever the state (start-up warm-up). The error says why it failed.
  [[nodiscard]] Result<Keys, std::string> refresh();

  // For readiness: whether get() would return keys now without fetching.
  [[nodiscard]] bool has_usable_keys() const;

  // Successful JWKS fetches, and failed attempts (discovery or JWKS), for tests and metrics.
  [[nodiscard]] uint64_t fetch_count() const;
  [[nodiscard]] uint64_t failure_count() const;

  [[nodiscard]] const JwksCacheOptions& options() const { return options_; }

 private:
  struct State {
    Keys keys;
    TimePoint fetched_at{};
    TimePoint expires_at{};
    std::optional<TimePoint> last_failure;
    std::optional<TimePoint> last_unknown_kid_refetch;
    std::string last_error;
    uint64_t generation = 0;  // bumped on every successful fetch
    uint64_t fetches = 0;
    uint64_t failures = 0;
    bool warned_stale = false;
  };

  // Discovery (when needed) then the JWKS; updates state_. Call with fetch_mutex_ held.
  Result<Keys, std::string> fetch_locked(JwksFetchReason reason);
  Result<std::string, std::string> jwks_uri_locked();
  [[nodiscard]] bool usable(const State& s, TimePoint now) const;
  void emit(const JwksEvent& event) const;

  HttpFetcher& fetcher_;
  const Clock& clock_;
  JwksCacheOptions options_;
  JwksEventSink events_;

  mutable std::mutex mutex_;  // guards state_; never held during a fetch
  State state_;
  std::mutex fetch_mutex_;  // one fetch at a time; guards discovered_jwks_uri_
  std::string discovered_jwks_uri_;
};

}  // namespace keyward::rs
