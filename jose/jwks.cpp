#include "jose/jwks.h"

namespace keyward::jose {

Result<Jwks, Status> Jwks::parse(std::string_view text) {
  auto json = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return err(Status::JwksBadJson);
  return from_json(json);
}

Result<Jwks, Status> Jwks::from_json(const nlohmann::json& json) {
  if (!json.is_object()) return err(Status::JwksBadJson);
  auto it = json.find("keys");
  if (it == json.end() || !it->is_array()) return err(Status::JwksBadJson);
  std::vector<Jwk> keys;
  size_t skipped = 0;
  for (const auto& member : *it) {
    auto jwk = Jwk::from_json(member);
    if (!jwk) {
      if (jwk.error() == Status::JwkPrivateMember) return err(Status::JwkPrivateMember);
      ++skipped;
      continue;
    }
    // Our tokens always name their key, so a key without kid could never be selected.
    if (jwk->kid().empty()) {
      ++skipped;
      continue;
    }
    keys.push_back(std::move(jwk).value());
  }
  if (keys.empty()) return err(Status::JwksNoUsableKeys);
  return Jwks(std::move(keys), skipped);
}

Jwks Jwks::from_keys(std::vector<Jwk> keys) {
  return Jwks(std::move(keys), 0);
}

const Jwk* Jwks::find(std::string_view kid, Alg alg) const {
  auto found = select(kid, alg);
  return found ? *found : nullptr;
}

Result<const Jwk*, Status> Jwks::select(std::string_view kid, Alg alg) const {
  bool kid_known = false;
  for (const auto& key : keys_) {
    if (key.kid() != kid) continue;
    kid_known = true;
    if (key.fits(alg) == Status::Ok) return &key;
  }
  return err(kid_known ? Status::JwksKeyMismatch : Status::JwtKidUnknown);
}

std::string Jwks::to_public_json() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& key : keys_) keys.push_back(key.to_json());
  return nlohmann::json{{"keys", std::move(keys)}}.dump();
}

}  // namespace keyward::jose
