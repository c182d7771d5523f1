#pragma once
// The seam between whoever holds the signing keys (keys/KeyManager, which
// loads them from PostgreSQL and follows rotation) and whoever signs or checks our
// own tokens (grants/). Two real implementations exist: the managed one and
// StaticSigningKeys (tests, tools).
#include <memory>
#include <string>
#include <utility>

#include "jose/jwks.h"
#include "jose/jwt.h"

namespace keyward::grants {

// One active key, ready to sign: the signers carry their pre-encoded headers.
struct SigningKey {
  std::string kid;
  jose::Alg alg;
  jose::JwtSigner access_token;  // typ "at+jwt" (RFC 9068 §2.1)
  jose::JwtSigner id_token;      // typ "JWT"

  SigningKey(std::string kid_, const jose::PrivateKey& key)
      : kid(kid_),
        alg(key.alg()),
        access_token(key, jose::JwtHeaderParams{kid_, "at+jwt"}),
        id_token(key, jose::JwtHeaderParams{kid_, "JWT"}) {}
};

class SigningKeys {
 public:
  virtual ~SigningKeys() = default;
  // The key that signs new tokens now; nullptr while none is active (the caller then
  // answers temporarily_unavailable).
  [[nodiscard]] virtual std::shared_ptr<const SigningKey> active() const = 0;
  // Every published key (next, active, retired): what verifies our own tokens.
  [[nodiscard]] virtual std::shared_ptr<const jose::Jwks> published() const = 0;
};

class StaticSigningKeys final : public SigningKeys {
 public:
  explicit StaticSigningKeys(const jose::PrivateKey& key, std::string kid = {})
      : active_(std::make_shared<SigningKey>(
            kid.empty() ? jose::Jwk::from_public_key(key.public_key()).kid() : kid, key)),
        published_(std::make_shared<jose::Jwks>(
            jose::Jwks::from_keys({jose::Jwk::from_public_key(key.public_key(), active_->kid)}))) {}

  [[nodiscard]] std::shared_ptr<const SigningKey> active() const override { return active_; }
  [[nodiscard]] std::shared_ptr<const jose::Jwks> published() const override { return published_; }

 private:
  std::shared_ptr<const SigningKey> active_;
  std::shared_ptr<const jose::Jwks> published_;
};

}  // namespace keyward::grants
