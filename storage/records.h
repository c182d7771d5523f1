#pragma once
// Plain rows as the repositories return them. Bytes are std::string; times are
// TimePoint and round-trip through PostgreSQL with microsecond precision.
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace keyward::storage {

// DESIGN.md "Keys": next (published, not yet signing) → active (signing) →
// retired (published until every token it signed has expired) → deleted.
enum class KeyState { Next, Active, Retired };

[[nodiscard]] std::string_view to_string(KeyState state);
[[nodiscard]] std::optional<KeyState> parse_key_state(std::string_view text);

struct KeyRecord {
  std::string kid;
  std::string alg;  // "RS256"
  KeyState state = KeyState::Next;
  // A JSON object; PostgreSQL refuses private members. Stored as jsonb, so it comes back
  // in jsonb's rendering (members reordered, spacing normalised): parse it, never compare text.
  std::string public_jwk;
  std::string private_key_sealed;  // AES-256-GCM ciphertext, never the clear key
  TimePoint created_at;
  TimePoint activates_at;                 // a next key may sign from here on
  std::optional<TimePoint> retires_at;    // set when it stops signing
  std::optional<TimePoint> delete_after;  // set when retired: unpublished after this

  bool operator==(const KeyRecord&) const = default;
};

}  // namespace keyward::storage
