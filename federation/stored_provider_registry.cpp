#include "federation/stored_provider_registry.h"

#include <algorithm>

#include "federation/curl_poster.h"
#include "federation/provider_rules.h"
#include "federation/provider_secret.h"

namespace keyward::federation {

StoredProviderRegistry::StoredProviderRegistry(storage::Database& database,
                                               std::string_view master_key,
                                               std::shared_ptr<rs::HttpFetcher> fetcher,
                                               std::shared_ptr<UpstreamPoster> poster,
                                               const Clock& clock, Logger& logger,
                                               ProviderRegistryOptions options)
    : repository_(database),
      secret_key_(provider_secret_key(master_key)),
      fetcher_(std::move(fetcher)),
      poster_(std::move(poster)),
      clock_(clock),
      logger_(logger),
      options_(std::move(options)) {
  options_.upstream.redirect_uri = callback_redirect_uri(options_.keyward_issuer);
}

std::vector<ProviderButton> StoredProviderRegistry::buttons() {
  std::vector<ProviderButton> out;
  for (const auto& entry : *current()) {
    if (!entry.upstream) continue;  // its secret did not open
    out.push_back(ProviderButton{entry.record.name, entry.record.button_label});
  }
  return out;
}

std::shared_ptr<Upstream> StoredProviderRegistry::find(std::string_view name) {
  const auto snapshot = current();
  const auto it = std::find_if(snapshot->begin(), snapshot->end(),
                               [&](const Entry& e) { return e.record.name == name; });
  return it == snapshot->end() ? nullptr : it->upstream;
}

bool StoredProviderRegistry::reload() {
  std::lock_guard reloading(reload_mutex_);
  return reload_locked();
}

std::shared_ptr<const StoredProviderRegistry::Snapshot> StoredProviderRegistry::current() {
  {
    std::lock_guard lock(mutex_);
    if (snapshot_ && clock_.now() < next_reload_) return snapshot_;
  }
  std::unique_lock reloading(reload_mutex_, std::try_to_lock);
  if (!reloading.owns_lock()) {
    // Another caller is reading the table: go on with the last list, or wait for the first.
    {
      std::lock_guard lock(mutex_);
      if (snapshot_) return snapshot_;
    }
    reloading.lock();
  }
  bool due = true;
  {
    std::lock_guard lock(mutex_);
    due = !snapshot_ || clock_.now() >= next_reload_;
  }
  if (due) reload_locked();
  std::lock_guard lock(mutex_);
  return snapshot_;
}

bool StoredProviderRegistry::reload_locked() {
  auto records = repository_.list();
  std::shared_ptr<const Snapshot> previous;
  {
    std::lock_guard lock(mutex_);
    previous = snapshot_;
  }
  if (!records.ok()) {
    logger_.warn("identity providers could not be read; keeping the last list",
                 {{"error", std::string(storage::to_string(records.error().code))}});
    std::lock_guard lock(mutex_);
    if (!snapshot_) snapshot_ = std::make_shared<const Snapshot>();
    next_reload_ = clock_.now() + options_.retry_interval;
    return false;
  }
  auto next = std::make_shared<Snapshot>();
  bool changed = !previous || previous->size() != records->size();
  for (auto& record : *records) {
    const Entry* old = nullptr;
    if (previous) {
      for (const auto& e : *previous) {
        if (e.record == record) old = &e;
      }
    }
    if (old) {
      next->push_back(*old);  // unchanged: keep its cached discovery and keys
      continue;
    }
    changed = true;
    // Kept even when its secret does not open (upstream null, no button), so the error is
    // logged once per change of the row, not at every reload.
    auto upstream = make_upstream(record);
    next->push_back(Entry{std::move(record), std::move(upstream)});
  }
  if (changed) {
    auto names = nlohmann::ordered_json::array();
    for (const auto& e : *next) {
      if (e.upstream) names.push_back(e.record.name);
    }
    logger_.info("identity providers loaded", {{"providers", names}});
  }
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(next);
  next_reload_ = clock_.now() + options_.reload_interval;
  return true;
}

std::shared_ptr<Upstream> StoredProviderRegistry::make_upstream(
    const storage::IdentityProviderRecord& record) {
  auto secret = open_provider_secret(secret_key_, record.name, record.client_secret_sealed);
  if (!secret) {
    logger_.error(
        "an identity provider's client secret does not open with this master key; the provider "
        "is left out until it is registered again",
        {{"provider", record.name}});
    return nullptr;
  }
  ProviderSettings settings;
  settings.name = record.name;
  settings.issuer = record.issuer;
  settings.client_id = record.client_id;
  settings.client_secret = std::move(*secret);
  settings.scopes = record.scopes;
  settings.button_label = record.button_label;
  // The JWKS cache's fetches and failures, for the operator (never key material).
  auto events = [this, name = record.name](const rs::JwksEvent& event) {
    const LogLevel level =
        event.kind == rs::JwksEvent::Kind::Fetched ? LogLevel::Info : LogLevel::Warn;
    logger_.log(level, "upstream JWKS: " + event.message, {{"provider", name}});
  };
  return std::make_shared<UpstreamClient>(std::move(settings), *fetcher_, *poster_, clock_,
                                          options_.upstream, std::move(events));
}

std::unique_ptr<ProviderRegistry> make_provider_registry(storage::Database& database,
                                                         std::string_view master_key,
                                                         const Clock& clock, Logger& logger,
                                                         ProviderRegistryOptions options) {
  return std::make_unique<StoredProviderRegistry>(
      database, master_key, std::make_shared<rs::CurlFetcher>(), std::make_shared<CurlPoster>(),
      clock, logger, std::move(options));
}

}  // namespace keyward::federation
