#include "grants/registration_tokens.h"

#include <cctype>

#include "common/crypto.h"
#include "grants/dynamic_registration.h"

namespace keyward::grants {

std::optional<std::string> registration_token_limits_problem(
    const RegistrationTokenLimits& limits) {
  if (limits.expires_in &&
      (limits.expires_in->count() < 1 || *limits.expires_in > kMaxRegistrationTokenLifetime)) {
    return "the lifetime must be 1 to " + std::to_string(kMaxRegistrationTokenLifetime.count()) +
           " seconds";
  }
  if (limits.max_uses && (*limits.max_uses < 1 || *limits.max_uses > kMaxRegistrationTokenUses)) {
    return "the number of uses must be 1 to " + std::to_string(kMaxRegistrationTokenUses);
  }
  return std::nullopt;
}

Result<NewRegistrationToken, std::string> create_registration_token(
    storage::RegistrationTokenRepository& tokens, const Clock& clock,
    const RegistrationTokenLimits& limits) {
  if (auto problem = registration_token_limits_problem(limits)) return err(*problem);
  std::optional<TimePoint> expires_at;
  if (limits.expires_in) expires_at = clock.now() + *limits.expires_in;
  // 72 random bits: enough to never collide in practice, short enough to type. Starting
  // with a letter or digit, so `revoke ID` never reads it as an option.
  std::string id;
  do {
    id = random_token(9);
  } while (!std::isalnum(static_cast<unsigned char>(id.front())));
  NewRegistrationToken out;
  out.token = random_token(32);
  auto stored = tokens.insert(id, registration_token_hash(out.token), expires_at, limits.max_uses);
  if (!stored.ok()) return err("cannot store the token: " + stored.error().message);
  out.record = std::move(stored).value();
  return out;
}

}  // namespace keyward::grants
