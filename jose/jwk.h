#pragma once
// A public JSON Web Key (RFC 7517 §4) with its key already imported into OpenSSL, and its
// RFC 7638 thumbprint, which Keyward uses as the kid of its own keys.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "jose/alg.h"
#include "jose/evp_key.h"
#include "jose/status.h"

namespace keyward::jose {

class Jwk {
 public:
  // Imports RSA (n, e), EC P-256 (crv, x, y; RFC 7518 §6.2.1: x and y exactly 32 bytes) and
  // OKP Ed25519 (crv, x; RFC 8037 §2). Any private member (d, p, q, dp, dq, qi, oth, k) is
  // refused with JwkPrivateMember, whatever the kty. kid, alg and use are kept as given
  // (absent = empty) and checked by fits().
  [[nodiscard]] static Result<Jwk, Status> from_json(const nlohmann::json& jwk);

  // The JWK an issuer publishes for its key: alg and use "sig" set, kid defaulting to the
  // RFC 7638 thumbprint.
  [[nodiscard]] static Jwk from_public_key(const PublicKey& key, std::string kid = {});

  [[nodiscard]] const std::string& kid() const { return kid_; }
  [[nodiscard]] const std::string& alg() const { return alg_; }
  [[nodiscard]] const std::string& use() const { return use_; }
  [[nodiscard]] KeyType type() const { return key_.type(); }
  [[nodiscard]] const PublicKey& public_key() const { return key_; }

  // Ok if this key may verify alg: the kty/crv must be alg's, and alg, use and key_ops, when
  // present, must allow it (RFC 7517 §4.2-4.4); JwksKeyMismatch otherwise.
  [[nodiscard]] Status fits(Alg alg) const;

  // RFC 7638 §3: base64url(SHA-256(the required members, sorted, no whitespace)).
  [[nodiscard]] std::string thumbprint() const;

  // The public members plus kid, alg and use when set; never a private member.
  [[nodiscard]] nlohmann::json to_json() const;

 private:
  Jwk(PublicKey key, nlohmann::json required)
      : key_(std::move(key)), required_(std::move(required)) {}

  PublicKey key_;
  nlohmann::json required_;  // RFC 7638 §3.2 required members, canonical encodings
  std::string kid_;
  std::string alg_;
  std::string use_;
  std::optional<std::vector<std::string>> key_ops_;
};

}  // namespace keyward::jose
