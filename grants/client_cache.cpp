#include "grants/client_cache.h"

#include "grants/identifier.h"

#include <mutex>

namespace keyward::grants {

namespace {

// Unknown ids are remembered too (so probing random ids does not cost a query each), but
// only this many: past it they are all forgotten at once. Known clients are bounded by
// what the operator registers.
constexpr std::size_t kMaxUnknown = 4096;

std::shared_ptr<const ClientEntry> to_entry(storage::ClientRecord record) {
  auto entry = std::make_shared<ClientEntry>();
  entry->client.id = std::move(record.client_id);
  entry->client.name = std::move(record.name);
  entry->client.confidential = record.confidential;
  entry->client.first_party = record.first_party;
  entry->client.token_endpoint_auth_method = std::move(record.token_endpoint_auth_method);
  entry->client.grant_types = std::move(record.grant_types);
  entry->client.scopes = std::move(record.scopes);
  entry->client.redirect_uris = std::move(record.redirect_uris);
  entry->client.post_logout_redirect_uris = std::move(record.post_logout_redirect_uris);
  entry->client.audiences = std::move(record.audiences);
  entry->client.may_introspect = record.may_introspect;
  entry->secret_hmac = std::move(record.secret_hmac);
  return entry;
}

}  // namespace

ClientCache::ClientCache(storage::ClientRepository& repository, const Clock& clock,
                         std::chrono::seconds ttl)
    : repository_(repository), clock_(clock), ttl_(ttl) {}

Result<std::shared_ptr<const ClientEntry>, storage::StorageError> ClientCache::find(
    std::string_view client_id) {
  // No client has such an id; neither PostgreSQL nor the cache is asked (a NUL-cut key
  // would otherwise be cached beside the real one and outlive a secret rotation).
  if (!is_acceptable_identifier(client_id)) return std::shared_ptr<const ClientEntry>();
  const auto now = clock_.now();
  unsigned long long generation = 0;
  {
    std::shared_lock lock(mutex_);
    // Heterogeneous lookup needs C++20 transparent hashing; one copy per miss is fine.
    const auto it = slots_.find(std::string(client_id));
    if (it != slots_.end() && now - it->second.fetched_at < ttl_ && now >= it->second.fetched_at) {
      return it->second.entry;
    }
    generation = generation_;
  }

  auto record = repository_.find(client_id);
  if (!record.ok()) return err(std::move(record).error());
  std::shared_ptr<const ClientEntry> entry;
  if (record->has_value()) entry = to_entry(std::move(**record));

  std::unique_lock lock(mutex_);
  // An invalidation arrived while we were reading: what we read may predate the change
  // it announces, so hand it out this once but do not keep it.
  if (generation != generation_) return entry;
  auto [it, inserted] = slots_.try_emplace(std::string(client_id));
  if (!inserted && !it->second.entry) --unknown_;
  if (!entry) {
    if (unknown_ >= kMaxUnknown) {
      std::erase_if(slots_, [](const auto& slot) { return !slot.second.entry; });
      unknown_ = 0;
      it = slots_.try_emplace(std::string(client_id)).first;
    }
    ++unknown_;
  }
  it->second = Slot{entry, now};
  return entry;
}

void ClientCache::invalidate(std::string_view client_id) {
  std::unique_lock lock(mutex_);
  ++generation_;
  const auto it = slots_.find(std::string(client_id));
  if (it == slots_.end()) return;
  if (!it->second.entry) --unknown_;
  slots_.erase(it);
}

void ClientCache::invalidate_all() {
  std::unique_lock lock(mutex_);
  ++generation_;
  slots_.clear();
  unknown_ = 0;
}

}  // namespace keyward::grants
