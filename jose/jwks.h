#pragma once
// A JWK Set (RFC 7517 §5): what a resource server fetches from jwks_uri and what the issuer
// publishes. Parsed once, then looked up per token by kid.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "jose/alg.h"
#include "jose/jwk.h"
#include "jose/status.h"

namespace keyward::jose {

class Jwks {
 public:
  // RFC 7517 §5: keys we cannot use (unsupported kty or crv, malformed, no kid) are skipped,
  // as §5 allows; JwksNoUsableKeys if none is left. A key with a private member refuses the
  // whole set (JwkPrivateMember): a publisher that leaks one private key is not to be trusted.
  [[nodiscard]] static Result<Jwks, Status> parse(std::string_view json);
  [[nodiscard]] static Result<Jwks, Status> from_json(const nlohmann::json& json);
  // The issuer's own set, published as given.
  [[nodiscard]] static Jwks from_keys(std::vector<Jwk> keys);

  // The key with this kid that may verify alg, or nullptr.
  [[nodiscard]] const Jwk* find(std::string_view kid, Alg alg) const;
  // The same, telling JwtKidUnknown (no key has this kid: refetching may help) from
  // JwksKeyMismatch (a key has it but does not fit alg: refetching will not help).
  [[nodiscard]] Result<const Jwk*, Status> select(std::string_view kid, Alg alg) const;

  [[nodiscard]] const std::vector<Jwk>& keys() const { return keys_; }
  // How many keys parse() skipped; for logs.
  [[nodiscard]] size_t skipped() const { return skipped_; }

  // {"keys":[...]} with public members only. Callers serialise it once per key change.
  [[nodiscard]] std::string to_public_json() const;

 private:
  Jwks(std::vector<Jwk> keys, size_t skipped) : keys_(std::move(keys)), skipped_(skipped) {}

  std::vector<Jwk> keys_;
  size_t skipped_ = 0;
};

}  // namespace keyward::jose
