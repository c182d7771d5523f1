#pragma once
// An upstream provider's client secret at rest. Unlike our own clients' secrets (which we
// only verify, so an HMAC suffices) this one we must present to the upstream, so it is
// stored encrypted: AES-256-GCM under HKDF-SHA-256(master key, "keyward idp-secrets v1")
// (RFC 5869), with the provider's name as associated data, so a ciphertext copied onto
// another provider's row does not open. Like the signing keys (keys/key_store.h), it is
// never in clear in the database, and a stolen table alone reveals nothing.
#include <optional>
#include <string>
#include <string_view>

namespace keyward::federation {

// The key that seals provider secrets, derived from the 32-byte master key.
[[nodiscard]] std::string provider_secret_key(std::string_view master_key);

// aead::seal(key, secret, name): nonce || ciphertext || tag.
[[nodiscard]] std::string seal_provider_secret(std::string_view key, std::string_view name,
                                               std::string_view secret);

// The secret, or nullopt when `sealed` was altered, or sealed under another master key or
// for another provider name.
[[nodiscard]] std::optional<std::string> open_provider_secret(std::string_view key,
                                                              std::string_view name,
                                                              std::string_view sealed);

}  // namespace keyward::federation
