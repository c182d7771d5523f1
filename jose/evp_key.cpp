#include "jose/evp_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace keyward::jose {

void detail::EvpPkeyFree::operator()(EVP_PKEY* key) const noexcept {
  EVP_PKEY_free(key);
}

namespace {

struct Pkcs8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const noexcept { PKCS8_PRIV_KEY_INFO_free(p); }
};

std::shared_ptr<EVP_PKEY> share(UniqueEvpPkey key) {
  return std::shared_ptr<EVP_PKEY>(key.release(), detail::EvpPkeyFree{});
}

// The type of a key we support, or the status explaining why it is not one.
Result<KeyType, Status> classify(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
      const int bits = EVP_PKEY_get_bits(key);
      if (bits < kMinRsaBits || bits > kMaxRsaBits) return err(Status::JwkBadKey);
      return KeyType::Rsa;
    }
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) {
        return err(Status::JwkBadKey);
      }
      if (std::string_view(group, len) != "prime256v1") return err(Status::JwkUnsupported);
      return KeyType::EcP256;
    }
    case EVP_PKEY_ED25519:
      return KeyType::Ed25519;
    default:
      return err(Status::JwkUnsupported);  // includes RSA-PSS-only keys, DSA, X25519, Ed448
  }
}

// The public half alone, re-read from its SPKI encoding so no private component travels along.
UniqueEvpPkey public_half(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return nullptr;
  const unsigned char* p = der;
  UniqueEvpPkey pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  return pub;
}

}  // namespace

Result<PublicKey, Status> PublicKey::from_evp(UniqueEvpPkey key) {
  if (!key) return err(Status::JwkBadKey);
  auto type = classify(key.get());
  if (!type) return err(type.error());
  return PublicKey(share(std::move(key)), *type);
}

Result<PublicKey, Status> PublicKey::from_spki_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  UniqueEvpPkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return err(Status::JwkBadKey);
  }
  return from_evp(std::move(key));
}

std::string PublicKey::to_spki_der() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_PUBKEY failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool PublicKey::same_key(const PublicKey& other) const {
  return EVP_PKEY_eq(key_.get(), other.key_.get()) == 1;
}

Result<PrivateKey, Status> PrivateKey::from_evp(UniqueEvpPkey key) {
  auto type = classify(key.get());
  if (!type) return err(Status::KeyUnsupported);
  auto pub = PublicKey::from_evp(public_half(key.get()));
  if (!pub) return err(Status::KeyUnsupported);
  return PrivateKey(share(std::move(key)), std::move(pub).value());
}

PrivateKey PrivateKey::generate(Alg alg) {
  EVP_PKEY* raw = nullptr;
  switch (alg) {
    case Alg::RS256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kMinRsaBits));
      break;
    case Alg::ES256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::EdDSA:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (raw == nullptr) throw std::runtime_error("key generation failed");
  auto key = from_evp(UniqueEvpPkey(raw));
  if (!key) throw std::runtime_error("generated key is unusable");
  return std::move(key).value();
}

Result<PrivateKey, Status> PrivateKey::from_pkcs8_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Pkcs8Free> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  // Trailing bytes would mean two encodings of one key are accepted; refuse them.
  if (!info || p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return err(Status::KeyBadPkcs8);
  }
  UniqueEvpPkey key(EVP_PKCS82PKEY(info.get()));
  if (!key) return err(Status::KeyBadPkcs8);
  return from_evp(std::move(key));
}

std::string PrivateKey::to_pkcs8_der() const {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, Pkcs8Free> info(EVP_PKEY2PKCS8(key_.get()));
  if (!info) throw std::runtime_error("EVP_PKEY2PKCS8 failed");
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_PKCS8_PRIV_KEY_INFO failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

}  // namespace keyward::jose
