#pragma once
// The few cryptographic primitives every module needs, over OpenSSL.
#include <string>
#include <string_view>

namespace keyward {

// n bytes from OpenSSL's CSPRNG (RAND_bytes); throws std::runtime_error if it fails.
[[nodiscard]] std::string random_bytes(size_t n);

// 256 random bits (by default) as base64url: codes, refresh tokens, session ids, CSRF tokens.
[[nodiscard]] std::string random_token(size_t bytes = 32);

// Compares in time that depends only on the lengths (CRYPTO_memcmp).
[[nodiscard]] bool equal_constant_time(std::string_view a, std::string_view b);

// Raw 32-byte SHA-256 digest.
[[nodiscard]] std::string sha256(std::string_view data);

// Raw 32-byte HMAC-SHA-256.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hex of bytes.
[[nodiscard]] std::string to_hex(std::string_view bytes);

}  // namespace keyward

namespace keyward {

// HKDF-SHA-256 (RFC 5869) with an empty salt: derives independent keys from the
// master key for each purpose ("keyward client-secret v1", "keyward signing-keys v1"),
// so no two uses ever share a key.
[[nodiscard]] std::string hkdf_sha256(std::string_view key, std::string_view info,
                                      size_t length = 32);

}  // namespace keyward
