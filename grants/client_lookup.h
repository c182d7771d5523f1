#pragma once
// How grants find a registered client by id. ClientCache answers it in the server; the
// authorization request's stages take this interface, so that their unit tests can hand
// them a fixed set of clients without PostgreSQL.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "grants/client.h"
#include "storage/storage_error.h"

namespace keyward::grants {

struct ClientEntry {
  Client client;
  std::optional<std::string> secret_hmac;  // nullopt for public clients
};

class ClientLookup {
 public:
  virtual ~ClientLookup() = default;

  // nullptr when no such client exists.
  [[nodiscard]] virtual Result<std::shared_ptr<const ClientEntry>, storage::StorageError> find(
      std::string_view client_id) = 0;
};

}  // namespace keyward::grants
