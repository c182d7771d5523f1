#pragma once
// AES-256-GCM authenticated encryption (NIST SP 800-38D) for secrets at rest, such as signing
// keys under the master key. The associated data binds a ciphertext to its context (the key
// store passes the kid), so a ciphertext copied to another row does not open.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::aead {

inline constexpr size_t kKeySize = 32;    // AES-256
inline constexpr size_t kNonceSize = 12;  // SP 800-38D §8.2: 96-bit IVs
inline constexpr size_t kTagSize = 16;    // full 128-bit tag
inline constexpr size_t kOverhead = kNonceSize + kTagSize;

// nonce || ciphertext || tag. The nonce is fresh from RAND_bytes: with random 96-bit nonces one
// key stays within SP 800-38D §8.3's bound for 2^32 messages, far beyond our key count.
// Throws std::invalid_argument if key is not kKeySize bytes, std::runtime_error if OpenSSL fails.
[[nodiscard]] std::string seal(std::string_view key, std::string_view plaintext,
                               std::string_view associated_data);

// The plaintext, or nullopt if sealed is too short, was altered anywhere, or was sealed under
// another key or other associated data. Throws std::invalid_argument if key is not kKeySize bytes.
[[nodiscard]] std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                              std::string_view associated_data);

}  // namespace keyward::aead
