#include "audit/event.h"

#include <array>
#include <utility>

namespace keyward::audit {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 21> kNames{{
    {EventType::SignIn, "sign_in"},
    {EventType::SignInFailed, "sign_in_failed"},
    {EventType::SignInThrottled, "sign_in_throttled"},
    {EventType::TokenIssued, "token_issued"},
    {EventType::ClientAuthFailed, "client_auth_failed"},
    {EventType::RefreshReuseDetected, "refresh_reuse_detected"},
    {EventType::CodeReplayed, "code_replayed"},
    {EventType::ConsentGiven, "consent_given"},
    {EventType::ConsentRevoked, "consent_revoked"},
    {EventType::Logout, "logout"},
    {EventType::PasswordChanged, "password_changed"},
    {EventType::PasswordReset, "password_reset"},
    {EventType::UserCreated, "user_created"},
    {EventType::UserChanged, "user_changed"},
    {EventType::UserDeleted, "user_deleted"},
    {EventType::ClientCreated, "client_created"},
    {EventType::ClientChanged, "client_changed"},
    {EventType::ClientDeleted, "client_deleted"},
    {EventType::KeyRotated, "key_rotated"},
    {EventType::FederatedIdentityLinked, "federated_identity_linked"},
    {EventType::FederatedIdentityUnlinked, "federated_identity_unlinked"},
}};

}  // namespace

std::string_view type_name(EventType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<EventType> parse_type(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

const std::vector<EventType>& all_types() {
  static const std::vector<EventType> kAll = [] {
    std::vector<EventType> all;
    all.reserve(kNames.size());
    for (const auto& [t, name] : kNames) all.push_back(t);
    return all;
  }();
  return kAll;
}

}  // namespace keyward::audit
