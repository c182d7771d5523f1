#pragma once
// A fixed set of registered clients behind grants::ClientLookup, for the stages that look
// a client up (the authorization request, logout) without PostgreSQL; ClientCache, which
// reads it, has its own tests in tests/integration/clients. Used by the unit tests and the
// authorize fuzz target.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "grants/client_lookup.h"

namespace keyward::grants::test {

class FixedClients final : public ClientLookup {
 public:
  void add(Client client) {
    std::string id = client.id;
    entries_[std::move(id)] =
        std::make_shared<const ClientEntry>(ClientEntry{std::move(client), {}});
  }
  // Every lookup fails with this, as a database that is down would.
  void fail_with(storage::StorageErrorCode code) { failure_ = code; }

  [[nodiscard]] Result<std::shared_ptr<const ClientEntry>, storage::StorageError> find(
      std::string_view client_id) override {
    if (failure_) return err(storage::StorageError{*failure_, "lookup failed", {}});
    const auto it = entries_.find(std::string(client_id));
    return it == entries_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::string, std::shared_ptr<const ClientEntry>> entries_;
  std::optional<storage::StorageErrorCode> failure_;
};

}  // namespace keyward::grants::test
