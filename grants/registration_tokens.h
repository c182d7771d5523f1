#pragma once
// Initial access tokens (RFC 7591 §3): what `keyward registration-token create` (and the
// admin API) mint. 256 random bits, base64url, shown once; stored as SHA-256 under a
// short public id used to list and revoke it (storage/registration_token_repository.h).
#include <chrono>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "storage/registration_token_repository.h"

namespace keyward::grants {

inline constexpr std::chrono::seconds kMaxRegistrationTokenLifetime{31536000};  // a year
inline constexpr int kMaxRegistrationTokenUses = 1000000;

struct RegistrationTokenLimits {
  std::optional<std::chrono::seconds> expires_in;  // 1 s to a year; nullopt: never expires
  std::optional<int> max_uses;  // 1 to kMaxRegistrationTokenUses; nullopt: unlimited
};

struct NewRegistrationToken {
  std::string token;  // show once, never store
  storage::RegistrationTokenRecord record;
};

// nullopt when the limits are acceptable, else why not.
[[nodiscard]] std::optional<std::string> registration_token_limits_problem(
    const RegistrationTokenLimits& limits);

// Mints and stores a token; the error says why not (bad limits, or the database).
[[nodiscard]] Result<NewRegistrationToken, std::string> create_registration_token(
    storage::RegistrationTokenRepository& tokens, const Clock& clock,
    const RegistrationTokenLimits& limits);

}  // namespace keyward::grants
