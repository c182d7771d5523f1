#pragma once
// Initial access tokens for dynamic client registration (RFC 7591 §3; migration
// 0010 `registration_tokens`). The token itself is never here: only its SHA-256, which is
// how it is found (a hashed lookup, so finding one leaks nothing through timing). Rules
// (how tokens are made, what a use is) are grants/registration_token.h's; this is the
// table.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/storage_error.h"

namespace keyward::storage {

struct RegistrationTokenRecord {
  std::string id;  // public name for list and revoke
  TimePoint created_at{};
  std::optional<TimePoint> expires_at;  // nullopt: never
  std::optional<int> max_uses;          // nullopt: unlimited
  int uses = 0;

  bool operator==(const RegistrationTokenRecord&) const = default;
};

class RegistrationTokenRepository {
 public:
  explicit RegistrationTokenRepository(Database& database);

  // Stores a new token by its 32-byte hash. UniqueViolation when the id or hash is taken;
  // CheckViolation for max_uses < 1.
  [[nodiscard]] Result<RegistrationTokenRecord, StorageError> insert(
      std::string_view id, std::string_view token_hash, std::optional<TimePoint> expires_at,
      std::optional<int> max_uses);

  // Every token, oldest first (never a hash), spent and expired ones included until the
  // janitor prunes them.
  [[nodiscard]] Result<std::vector<RegistrationTokenRecord>, StorageError> list();

  // The token with this hash when it can still be used at `now` (not expired, uses left);
  // nothing is counted.
  [[nodiscard]] Result<std::optional<RegistrationTokenRecord>, StorageError> find_usable(
      std::string_view token_hash, TimePoint now);

  // Counts one use of the token with this hash, if it can still be used at `now`: one
  // UPDATE, so concurrent callers never count past max_uses. The record after the use, or
  // nullopt when the token is unknown, expired or used up.
  [[nodiscard]] Result<std::optional<RegistrationTokenRecord>, StorageError> consume(
      std::string_view token_hash, TimePoint now);

  // Deletes the token; false when there is no such id.
  [[nodiscard]] Result<bool, StorageError> revoke(std::string_view id);

 private:
  detail::Pool& pool_;
};

}  // namespace keyward::storage
