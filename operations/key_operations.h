#pragma once
// What an operator does to the signing keys (`keyward keys …`, /admin/v1/keys): list them
// and rotate (a next key, published now, signing after the publication delay).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "jose/alg.h"
#include "keys/key_store.h"
#include "operations/actor.h"
#include "operations/operation_error.h"
#include "storage/database.h"
#include "storage/records.h"

namespace keyward::operations {

// RFC 3339 to the second: what an operator reads.
[[nodiscard]] std::string key_time(TimePoint t);

// The key's public facts (never its sealed private part).
[[nodiscard]] nlohmann::ordered_json describe_key(const storage::KeyRecord& key);

// The algorithm `--alg`/"alg" names: RS256, ES256 or EdDSA (Ed25519, RFC 8037); Invalid
// otherwise (never none or HS*).
[[nodiscard]] Result<jose::Alg, OperationError> rotation_alg(std::string_view name);

class KeyOperations {
 public:
  // Every rotation is reported to `events` (key_rotated) as done by `actor`.
  KeyOperations(storage::Database& database, audit::EventSink& events, Actor actor);

  // The same operations, reported as done by `actor` (an admin API request).
  [[nodiscard]] KeyOperations acting(Actor actor) const;

  [[nodiscard]] Result<std::vector<storage::KeyRecord>, OperationError> list();
  // A next key of `alg` (default: the algorithm of the key that signs now), sealed under
  // `kek` (keys::key_encryption_key of the master key). Conflict, naming the waiting key,
  // when one of that algorithm is already pending.
  [[nodiscard]] Result<keys::RotationOutcome, OperationError> rotate(
      std::string_view kek, std::optional<jose::Alg> alg, TimePoint now,
      std::chrono::seconds publication_delay);

 private:
  jose::Alg current_alg();

  storage::Database& database_;
  audit::EventSink* events_;
  Actor actor_;
};

}  // namespace keyward::operations
