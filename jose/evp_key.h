#pragma once
// RAII over OpenSSL's EVP_PKEY. Keys are parsed once and kept ready, so signing and verifying
// never re-parse key material. Both classes share an immutable EVP_PKEY (OpenSSL 3 allows
// concurrent use of one key from many threads), so copies are cheap reference counts.
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "jose/alg.h"
#include "jose/status.h"

namespace keyward::jose {

// With our algorithm set the key type fixes the algorithm: RSA (RFC 7518 §3.3), P-256 (§3.4),
// Ed25519 (RFC 8037 §3.1).
enum class KeyType { Rsa, EcP256, Ed25519 };

[[nodiscard]] constexpr KeyType key_type_for(Alg alg) {
  switch (alg) {
    case Alg::RS256:
      return KeyType::Rsa;
    case Alg::ES256:
      return KeyType::EcP256;
    case Alg::EdDSA:
      return KeyType::Ed25519;
  }
  return KeyType::Rsa;
}

[[nodiscard]] constexpr Alg alg_for(KeyType type) {
  switch (type) {
    case KeyType::Rsa:
      return Alg::RS256;
    case KeyType::EcP256:
      return Alg::ES256;
    case KeyType::Ed25519:
      return Alg::EdDSA;
  }
  return Alg::RS256;
}

// RFC 7518 §3.3: RSA keys of 2048 bits or more. The upper bound keeps a hostile JWKS from making
// each verification arbitrarily slow.
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

namespace detail {
struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const noexcept;
};
}  // namespace detail

using UniqueEvpPkey = std::unique_ptr<EVP_PKEY, detail::EvpPkeyFree>;

class PublicKey {
 public:
  // Takes ownership of a public key and checks that it is one we verify with: RSA 2048..8192
  // bits, EC P-256 or Ed25519. JwkUnsupported or JwkBadKey otherwise.
  [[nodiscard]] static Result<PublicKey, Status> from_evp(UniqueEvpPkey key);
  // DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
  [[nodiscard]] static Result<PublicKey, Status> from_spki_der(std::string_view der);

  [[nodiscard]] std::string to_spki_der() const;
  [[nodiscard]] KeyType type() const { return type_; }
  [[nodiscard]] Alg alg() const { return alg_for(type_); }
  // Borrowed, for OpenSSL calls; valid as long as any copy of this key lives.
  [[nodiscard]] EVP_PKEY* evp() const { return key_.get(); }

  // Same key material (EVP_PKEY_eq).
  [[nodiscard]] bool same_key(const PublicKey& other) const;

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, KeyType type) : key_(std::move(key)), type_(type) {}

  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_;
};

class PrivateKey {
 public:
  // A fresh key for alg: RSA-2048 for RS256, P-256 for ES256, Ed25519 for EdDSA. Throws
  // std::runtime_error only if OpenSSL itself fails.
  [[nodiscard]] static PrivateKey generate(Alg alg);
  // Exactly one DER PKCS#8 PrivateKeyInfo (RFC 5208), as to_pkcs8_der() writes it.
  [[nodiscard]] static Result<PrivateKey, Status> from_pkcs8_der(std::string_view der);

  // Secret bytes: the caller encrypts them (common/aead.h) before they go anywhere.
  [[nodiscard]] std::string to_pkcs8_der() const;
  [[nodiscard]] const PublicKey& public_key() const { return public_; }
  [[nodiscard]] KeyType type() const { return public_.type(); }
  [[nodiscard]] Alg alg() const { return public_.alg(); }
  [[nodiscard]] EVP_PKEY* evp() const { return key_.get(); }

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey pub)
      : key_(std::move(key)), public_(std::move(pub)) {}

  static Result<PrivateKey, Status> from_evp(UniqueEvpPkey key);

  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_;  // derived once, holding no private material
};

}  // namespace keyward::jose
