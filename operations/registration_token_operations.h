#pragma once
// What an operator does to initial access tokens for dynamic client registration
// (`keyward registration-token …`, /admin/v1/registration-tokens): mint one (shown once),
// list them (never a token or its hash), revoke one. The rules are
// grants/registration_tokens.h's.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "grants/registration_tokens.h"
#include "operations/operation_error.h"
#include "storage/database.h"
#include "storage/registration_token_repository.h"

namespace keyward::operations {

// {"id", "created_at", "expires_at" (null: never), "max_uses" (null: unlimited), "uses"}.
[[nodiscard]] nlohmann::ordered_json describe_registration_token(
    const storage::RegistrationTokenRecord& token);

class RegistrationTokenOperations {
 public:
  RegistrationTokenOperations(storage::Database& database, const Clock& clock);

  [[nodiscard]] Result<std::vector<storage::RegistrationTokenRecord>, OperationError> list();
  // Invalid for limits out of range.
  [[nodiscard]] Result<grants::NewRegistrationToken, OperationError> create(
      const grants::RegistrationTokenLimits& limits);
  // NotFound when there is no such id. Clients it registered stay.
  [[nodiscard]] Result<Unit, OperationError> revoke(const std::string& id);

 private:
  storage::Database& database_;
  const Clock& clock_;
};

}  // namespace keyward::operations
