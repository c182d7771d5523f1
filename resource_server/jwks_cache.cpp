#include "resource_server/jwks_cache.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "resource_server/cache_control.h"

namespace keyward::rs {
namespace {

bool is_http_url(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

std::string describe_status(const std::string& url, int status) {
  return "GET " + url + " answered HTTP " + std::to_string(status);
}

}  // namespace

JwksCache::JwksCache(HttpFetcher& fetcher, const Clock& clock, JwksCacheOptions options,
                     JwksEventSink events)
    : fetcher_(fetcher), clock_(clock), options_(std::move(options)), events_(std::move(events)) {
  if (options_.discovery_url.empty()) {
    // OIDC Discovery 1.0 §4: the issuer with any trailing slash removed, then the well-known
    // path.
    std::string base = options_.issuer;
    while (!base.empty() && base.back() == '/') base.pop_back();
    options_.discovery_url = base + "/.well-known/openid-configuration";
  }
  discovered_jwks_uri_ = options_.jwks_uri;
}

void JwksCache::emit(const JwksEvent& event) const {
  if (events_) events_(event);
}

bool JwksCache::usable(const State& s, TimePoint now) const {
  return s.keys && now < s.expires_at + options_.stale_if_error;
}

bool JwksCache::has_usable_keys() const {
  std::lock_guard lock(mutex_);
  return usable(state_, clock_.now());
}

uint64_t JwksCache::fetch_count() const {
  std::lock_guard lock(mutex_);
  return state_.fetches;
}

uint64_t JwksCache::failure_count() const {
  std::lock_guard lock(mutex_);
  return state_.failures;
}

Result<JwksCache::Keys, std::string> JwksCache::get() {
  const TimePoint now = clock_.now();
  uint64_t seen_generation = 0;
  {
    std::lock_guard lock(mutex_);
    if (state_.keys && now < state_.expires_at) return state_.keys;  // the hot path
    const bool may_try =
        !state_.last_failure || now - *state_.last_failure >= options_.retry_interval;
    if (!may_try) {
      if (usable(state_, now)) return state_.keys;
      return err("no usable signing keys: " + state_.last_error);
    }
    seen_generation = state_.generation;
  }

  // Expired or never fetched. With usable stale keys, only one caller fetches and the others
  // carry on; without any, everybody waits for the one fetch.
  std::unique_lock fetch(fetch_mutex_, std::try_to_lock);
  if (!fetch.owns_lock()) {
    {
      std::lock_guard lock(mutex_);
      if (usable(state_, now)) return state_.keys;
    }
    fetch.lock();
  }
  {
    std::lock_guard lock(mutex_);
    // Someone else fetched (or failed) while we waited: take their outcome.
    const bool retried_meanwhile =
        state_.last_failure && now - *state_.last_failure < options_.retry_interval;
    if (state_.generation != seen_generation || retried_meanwhile) {
      if (usable(state_, clock_.now())) return state_.keys;
      return err("no usable signing keys: " + state_.last_error);
    }
  }
  auto fetched = fetch_locked(JwksFetchReason::Expired);
  if (fetched.ok()) return fetched;
  std::lock_guard lock(mutex_);
  if (usable(state_, clock_.now())) {
    if (!state_.warned_stale) {
      state_.warned_stale = true;
      emit({JwksEvent::Kind::ServingStale,
            "the JWKS could not be refreshed; verifying with the keys fetched before, for at "
            "most " +
                std::to_string(options_.stale_if_error.count()) + " s past their expiry"});
    }
    return state_.keys;
  }
  return err("no usable signing keys: " + fetched.error());
}

std::optional<JwksCache::Keys> JwksCache::refetch_for_unknown_kid(const Keys& seen) {
  std::lock_guard fetch(fetch_mutex_);
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    if (state_.keys && state_.keys != seen) return state_.keys;  // fetched meanwhile
    if (state_.last_unknown_kid_refetch &&
        now - *state_.last_unknown_kid_refetch < options_.refetch_interval) {
      return std::nullopt;
    }
    state_.last_unknown_kid_refetch = now;
  }
  auto fetched = fetch_locked(JwksFetchReason::UnknownKid);
  if (!fetched.ok()) return std::nullopt;
  return std::move(fetched).value();
}

Result<JwksCache::Keys, std::string> JwksCache::refresh() {
  std::lock_guard fetch(fetch_mutex_);
  return fetch_locked(JwksFetchReason::Refresh);
}

Result<std::string, std::string> JwksCache::jwks_uri_locked() {
  if (!discovered_jwks_uri_.empty()) return discovered_jwks_uri_;
  const std::string& url = options_.discovery_url;
  auto response = fetcher_.get(url);
  if (!response.ok()) return err(response.error());
  if (response->status != 200) return err(describe_status(url, response->status));
  auto doc = nlohmann::json::parse(response->body, nullptr, false);
  if (!doc.is_object()) return err("the discovery document at " + url + " is not a JSON object");
  // OIDC Discovery 1.0 §4.3: the issuer in the document MUST be identical to the one we were
  // configured with; otherwise anyone who can answer this URL could name their own keys.
  const auto issuer = doc.find("issuer");
  if (issuer == doc.end() || !issuer->is_string() ||
      issuer->get<std::string>() != options_.issuer) {
    return err("the discovery document at " + url + " does not name the issuer " + options_.issuer);
  }
  const auto jwks_uri = doc.find("jwks_uri");
  if (jwks_uri == doc.end() || !jwks_uri->is_string() ||
      !is_http_url(jwks_uri->get<std::string>())) {
    return err("the discovery document at " + url + " has no http(s) jwks_uri");
  }
  discovered_jwks_uri_ = jwks_uri->get<std::string>();
  return discovered_jwks_uri_;
}

std::string_view to_string(JwksFetchReason reason) {
  switch (reason) {
    case JwksFetchReason::Expired:
      return "expired";
    case JwksFetchReason::UnknownKid:
      return "unknown_kid";
    case JwksFetchReason::Refresh:
      return "refresh";
  }
  return "expired";
}

Result<JwksCache::Keys, std::string> JwksCache::fetch_locked(JwksFetchReason reason) {
  auto fail = [this, reason](std::string message) -> Result<Keys, std::string> {
    {
      std::lock_guard lock(mutex_);
      state_.last_failure = clock_.now();
      state_.last_error = message;
      ++state_.failures;
    }
    emit({JwksEvent::Kind::FetchFailed, message, reason});
    return err(std::move(message));
  };

  auto uri = jwks_uri_locked();
  if (!uri.ok()) return fail(uri.error());
  auto response = fetcher_.get(*uri);
  if (!response.ok()) return fail(response.error());
  if (response->status != 200) {
    // The issuer may have moved its JWKS: discover again next time, unless it was configured.
    if (options_.jwks_uri.empty()) discovered_jwks_uri_.clear();
    return fail(describe_status(*uri, response->status));
  }
  auto jwks = jose::Jwks::parse(response->body);
  if (!jwks.ok()) {
    return fail("the JWKS at " + *uri +
                " is unusable: " + std::string(jose::to_string(jwks.error())));
  }

  const CacheDirectives directives = parse_cache_control(response->cache_control);
  std::chrono::seconds ttl = options_.default_ttl;
  if (directives.no_store || directives.no_cache) {
    ttl = options_.min_ttl;
  } else if (directives.max_age) {
    ttl = std::clamp(*directives.max_age, options_.min_ttl, options_.max_ttl);
  }

  auto keys = std::make_shared<const jose::Jwks>(std::move(jwks).value());
  const size_t count = keys->keys().size();
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_.now();
    state_.keys = keys;
    state_.fetched_at = now;
    state_.expires_at = now + ttl;
    state_.last_failure.reset();
    state_.last_error.clear();
    state_.warned_stale = false;
    ++state_.generation;
    ++state_.fetches;
  }
  emit({JwksEvent::Kind::Fetched, "fetched the JWKS from " + *uri, reason, count, ttl});
  return keys;
}

}  // namespace keyward::rs
