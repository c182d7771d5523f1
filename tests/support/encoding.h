#pragma once
// Encodings the tests need and the server has no encoder for: standard base64 (HTTP Basic)
// and reading the parts of a compact JWS (RFC 7515 §7.1) without verifying it.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace keyward::test {

// Standard base64 with padding (RFC 4648 §4), as HTTP Basic wants it.
[[nodiscard]] std::string base64(std::string_view bytes);

// Part `index` (0 header, 1 payload) of a compact JWT, base64url-decoded and parsed as
// JSON. Throws std::runtime_error when the part is not base64url, json::parse_error when
// it is not JSON.
[[nodiscard]] nlohmann::json jwt_part(const std::string& token, int index);
[[nodiscard]] inline nlohmann::json jwt_header(const std::string& token) {
  return jwt_part(token, 0);
}
[[nodiscard]] inline nlohmann::json jwt_claims(const std::string& token) {
  return jwt_part(token, 1);
}

// `token` with its payload replaced by `claims` (the signature left as it was).
[[nodiscard]] std::string with_jwt_claims(const std::string& token, const nlohmann::json& claims);

}  // namespace keyward::test
