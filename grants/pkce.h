#pragma once
// Proof Key for Code Exchange (RFC 7636), S256 only: `plain` is refused (RFC 9700
// §2.1.1: it protects nothing against an attacker who can read the authorization
// request).
#include <string>
#include <string_view>

namespace keyward::grants {

inline constexpr std::string_view kPkceS256 = "S256";
inline constexpr std::string_view kPkcePlain = "plain";

// RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
[[nodiscard]] std::string pkce_s256_challenge(std::string_view code_verifier);

// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
[[nodiscard]] bool is_valid_code_verifier(std::string_view code_verifier);

// An S256 challenge is the base64url of a 32-byte digest: exactly 43 characters of the
// base64url alphabet (and, like every base64url we accept, no leftover bits).
[[nodiscard]] bool is_valid_s256_challenge(std::string_view code_challenge);

// RFC 7636 §4.6: the verifier is well formed and its S256 transform equals the
// challenge, compared in constant time.
[[nodiscard]] bool pkce_verify(std::string_view code_verifier, std::string_view code_challenge);

}  // namespace keyward::grants
