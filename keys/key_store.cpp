#include "keys/key_store.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "common/aead.h"
#include "common/crypto.h"
#include "jose/jwk.h"
#include "storage/key_repository.h"

namespace keyward::keys {

namespace {

// Wipes a buffer that held clear key material before its memory is released.
class Wiped {
 public:
  explicit Wiped(std::string bytes) : bytes_(std::move(bytes)) {}
  ~Wiped() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  [[nodiscard]] const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace

std::string key_encryption_key(std::string_view master_key) {
  return hkdf_sha256(master_key, "keyward signing-keys v1", aead::kKeySize);
}

storage::KeyRecord generate_key_record(std::string_view kek, jose::Alg alg, storage::KeyState state,
                                       TimePoint now, TimePoint activates_at) {
  const auto key = jose::PrivateKey::generate(alg);
  const auto jwk = jose::Jwk::from_public_key(key.public_key());
  storage::KeyRecord record;
  record.kid = jwk.kid();
  record.alg = std::string(jose::alg_name(alg));
  record.state = state;
  record.public_jwk = jwk.to_json().dump();
  {
    const Wiped der(key.to_pkcs8_der());
    record.private_key_sealed = aead::seal(kek, der.bytes(), record.kid);
  }
  record.created_at = now;
  record.activates_at = activates_at;
  return record;
}

Result<jose::PrivateKey, std::string> open_private_key(std::string_view kek,
                                                       const storage::KeyRecord& record) {
  auto opened = aead::open(kek, record.private_key_sealed, record.kid);
  if (!opened) {
    return err("the private key of " + record.kid +
               " does not open with this KEYWARD_MASTER_KEY (another master key sealed it, or "
               "the row was altered)");
  }
  const Wiped der(std::move(*opened));
  auto key = jose::PrivateKey::from_pkcs8_der(der.bytes());
  if (!key.ok()) {
    return err("the private key of " + record.kid +
               " is not a usable PKCS#8 key: " + std::string(jose::to_string(key.error())));
  }
  nlohmann::json jwk_json;
  try {
    jwk_json = nlohmann::json::parse(record.public_jwk);
  } catch (const nlohmann::json::exception&) {
    return err("the public JWK of " + record.kid + " is not JSON");
  }
  auto jwk = jose::Jwk::from_json(jwk_json);
  if (!jwk.ok() || !jwk->public_key().same_key(key->public_key())) {
    return err("the private key of " + record.kid + " does not match its published public JWK");
  }
  if (std::string(jose::alg_name(key->alg())) != record.alg) {
    return err("the private key of " + record.kid + " is not an " + record.alg + " key");
  }
  return std::move(key).value();
}

Result<RotationOutcome, std::string> rotate_signing_key(storage::Database& database,
                                                        std::string_view kek, jose::Alg alg,
                                                        TimePoint now,
                                                        std::chrono::seconds publication_delay) {
  storage::KeyRepository keys(database);
  // A key sealed under a master key the servers do not have would take over at activates_at
  // and then fail to open everywhere: refuse unless this master key opens the signing key.
  auto existing = keys.list();
  if (!existing.ok()) return err("cannot list the keys: " + existing.error().message);
  const storage::KeyRecord* signing = nullptr;
  for (const auto& k : existing.value()) {
    if (k.state == storage::KeyState::Active &&
        (signing == nullptr || k.activates_at >= signing->activates_at)) {
      signing = &k;
    }
  }
  if (signing != nullptr && !open_private_key(kek, *signing).ok()) {
    return err("KEYWARD_MASTER_KEY does not open the active key " + signing->kid +
               ": it is not the master key the servers use, and a key sealed under it could "
               "never sign; nothing created");
  }
  RotationOutcome outcome;
  outcome.key =
      generate_key_record(kek, alg, storage::KeyState::Next, now, now + publication_delay);
  auto inserted = keys.insert_exclusive(outcome.key);
  if (!inserted.ok()) return err("cannot store the new key: " + inserted.error().message);
  outcome.created = inserted.value();
  outcome.key.private_key_sealed.clear();
  if (!outcome.created) {
    // Report the key that is already waiting instead.
    auto listed = keys.list();
    if (!listed.ok()) return err("cannot list the keys: " + listed.error().message);
    for (auto& k : listed.value()) {
      if (k.state == storage::KeyState::Next && k.alg == outcome.key.alg) {
        k.private_key_sealed.clear();
        outcome.key = std::move(k);
      }
    }
    return outcome;
  }
  outcome.notified = database.notify(kKeysChannel, outcome.key.kid).ok();
  return outcome;
}

}  // namespace keyward::keys
