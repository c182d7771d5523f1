#pragma once
// Strict base64url (RFC 4648 §5) without padding, as JOSE (RFC 7515 §2) uses it.
// Decoding rejects padding, '+', '/', whitespace, impossible lengths and non-zero
// leftover bits, so every byte string has exactly one accepted encoding.
#include <optional>
#include <string>
#include <string_view>

namespace keyward {

[[nodiscard]] std::string base64url_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace keyward
