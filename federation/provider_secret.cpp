#include "federation/provider_secret.h"

#include "common/aead.h"
#include "common/crypto.h"

namespace keyward::federation {

std::string provider_secret_key(std::string_view master_key) {
  return hkdf_sha256(master_key, "keyward idp-secrets v1", aead::kKeySize);
}

std::string seal_provider_secret(std::string_view key, std::string_view name,
                                 std::string_view secret) {
  return aead::seal(key, secret, name);
}

std::optional<std::string> open_provider_secret(std::string_view key, std::string_view name,
                                                std::string_view sealed) {
  return aead::open(key, sealed, name);
}

}  // namespace keyward::federation
