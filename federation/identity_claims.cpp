#include "federation/identity_claims.h"

#include "common/text.h"

namespace keyward::federation {
namespace {

using nlohmann::json;

constexpr size_t kMaxEmail = 320;  // RFC 5321 §4.5.3.1 limits, as the users table does
constexpr size_t kMaxName = 255;

std::optional<std::string> text_claim(const json& claims, const char* name, size_t max_size) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  std::string value = it->get<std::string>();
  if (value.empty() || value.size() > max_size || has_control(value)) return std::nullopt;
  return value;
}

void take_email(UpstreamIdentity& identity, const json& claims) {
  identity.email = text_claim(claims, "email", kMaxEmail);
  const auto verified = claims.find("email_verified");
  identity.email_verified =
      identity.email && verified != claims.end() && verified->is_boolean() && verified->get<bool>();
}

void take_missing_names(UpstreamIdentity& identity, const json& claims) {
  if (!identity.given_name) identity.given_name = text_claim(claims, "given_name", kMaxName);
  if (!identity.family_name) identity.family_name = text_claim(claims, "family_name", kMaxName);
  if (!identity.preferred_username) {
    identity.preferred_username = text_claim(claims, "preferred_username", kMaxName);
  }
}

}  // namespace

UpstreamIdentity identity_from_claims(std::string_view provider, const json& claims) {
  UpstreamIdentity identity;
  identity.provider = std::string(provider);
  identity.subject = claims.at("sub").get<std::string>();
  take_email(identity, claims);
  take_missing_names(identity, claims);
  return identity;
}

void complete_identity(UpstreamIdentity& identity, const json& userinfo) {
  if (!identity.email) take_email(identity, userinfo);
  take_missing_names(identity, userinfo);
}

}  // namespace keyward::federation
