#pragma once
// The JWS algorithms Keyward signs and verifies with (RFC 7518 §3.1, RFC 8037 §3.1). HS* and
// none are deliberately absent: a verifier holding a public JWKS can never be asked for them.
#include <array>
#include <optional>
#include <string_view>

namespace keyward::jose {

enum class Alg { RS256, ES256, EdDSA };

inline constexpr std::array<Alg, 3> kAllAlgs = {Alg::RS256, Alg::ES256, Alg::EdDSA};

// The "alg" header value; case-sensitive, as RFC 7515 §4.1.1 requires.
[[nodiscard]] constexpr std::string_view alg_name(Alg alg) {
  switch (alg) {
    case Alg::RS256:
      return "RS256";
    case Alg::ES256:
      return "ES256";
    case Alg::EdDSA:
      return "EdDSA";
  }
  return "";
}

[[nodiscard]] constexpr std::optional<Alg> parse_alg(std::string_view name) {
  for (Alg alg : kAllAlgs) {
    if (alg_name(alg) == name) return alg;
  }
  return std::nullopt;
}

}  // namespace keyward::jose
