#pragma once
// Signing keys (DESIGN.md "Keys"). The repository stores what jose/ and the key
// manager produce: public JWKs and sealed private keys; it never sees a clear key.
// State changes that can race between instances (first key, rotation, promotion) run
// in one transaction under an advisory transaction lock, and PostgreSQL's unique index
// on (alg) WHERE state = 'active' backs it up: there is never more than one active key
// per algorithm.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/records.h"
#include "storage/storage_error.h"

namespace keyward::storage {

// What promote_due changed, so the caller knows whether to NOTIFY the other instances.
struct KeyChanges {
  std::vector<std::string> activated;  // became active (at most one per algorithm)
  std::vector<std::string> retired;    // stopped signing or never will

  [[nodiscard]] bool empty() const { return activated.empty() && retired.empty(); }
};

class KeyRepository {
 public:
  explicit KeyRepository(Database& database);

  // Every key, oldest first (created_at, then kid).
  [[nodiscard]] Result<std::vector<KeyRecord>, StorageError> list();

  // Inserts the record as given. UniqueViolation when the kid exists (constraint
  // "signing_keys_pkey") or when it is active and its algorithm already has an active key
  // ("signing_keys_one_active_per_alg"); CheckViolation when the JWK carries private
  // members or the record is inconsistent.
  [[nodiscard]] Result<Unit, StorageError> insert(const KeyRecord& key);

  // Inserts the record unless a key of the same algorithm is already in the record's
  // state (next or active); returns whether it inserted. For the first key at start-up
  // (state active) and for scheduled rotation (state next): several instances doing it
  // at the same moment create one key, not one each.
  [[nodiscard]] Result<bool, StorageError> insert_exclusive(const KeyRecord& key);

  // For each algorithm, promotes the newest next key whose activates_at has passed to
  // active and retires the previously active key (and any older due next key) with
  // retires_at = now and delete_after = now + keep_retired_for (the longest token lifetime
  // plus the JWKS cache lifetime, so every token it signed still verifies). Idempotent:
  // a second call, here or on another instance, finds nothing due.
  [[nodiscard]] Result<KeyChanges, StorageError> promote_due(TimePoint now,
                                                             std::chrono::seconds keep_retired_for);

  // Retires every active key activated before the newest active key, whatever its
  // algorithm, with retires_at = now and delete_after = now + keep_retired_for; returns
  // their kids. One key signs at a time: after a rotation that changed the algorithm
  // (keyward keys rotate --alg ES256), promote_due leaves the previous algorithm's key
  // active, and this retires it. "Newest" orders by activates_at, then created_at, then
  // kid. Idempotent, like promote_due.
  [[nodiscard]] Result<std::vector<std::string>, StorageError> retire_superseded(
      TimePoint now, std::chrono::seconds keep_retired_for);

  // Deletes retired keys whose delete_after has passed; returns how many. Never touches
  // next or active keys.
  [[nodiscard]] Result<std::size_t, StorageError> delete_expired(TimePoint now);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
