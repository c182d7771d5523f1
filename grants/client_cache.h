#pragma once
// Clients cached per process (DESIGN.md "Shape"): the token endpoint reads a client on
// every request, and clients change rarely. Entries (unknown ids too, so probing random
// ids does not cost a query each) live until invalidated: by NOTIFY "keyward_clients"
// with the client id as payload (every CLI change sends one; compose.cpp wires the
// Listener to invalidate()), by invalidate_all() after the listener reconnects (NOTIFYs
// sent while it was down are lost), and by a TTL backstop (60 s by default).
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"
#include "grants/client.h"
#include "grants/client_lookup.h"
#include "storage/client_repository.h"
#include "storage/storage_error.h"

namespace keyward::grants {

inline constexpr std::string_view kClientsChannel = "keyward_clients";

class ClientCache final : public ClientLookup {
 public:
  ClientCache(storage::ClientRepository& repository, const Clock& clock,
              std::chrono::seconds ttl = std::chrono::seconds(60));

  // nullptr when no such client exists.
  [[nodiscard]] Result<std::shared_ptr<const ClientEntry>, storage::StorageError> find(
      std::string_view client_id) override;

  void invalidate(std::string_view client_id);
  void invalidate_all();

 private:
  struct Slot {
    std::shared_ptr<const ClientEntry> entry;  // nullptr: known not to exist
    TimePoint fetched_at;
  };

  storage::ClientRepository& repository_;
  const Clock& clock_;
  const std::chrono::seconds ttl_;

  std::shared_mutex mutex_;
  std::unordered_map<std::string, Slot> slots_;
  std::size_t unknown_ = 0;  // slots holding nullptr, bounded by kMaxUnknown
  // Bumped by every invalidation: a lookup that raced with one does not store what it
  // read, which may predate the change.
  unsigned long long generation_ = 0;
};

}  // namespace keyward::grants
