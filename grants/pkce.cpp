#include "grants/pkce.h"

#include <algorithm>

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::grants {

std::string pkce_s256_challenge(std::string_view code_verifier) {
  return base64url_encode(sha256(code_verifier));
}

bool is_valid_code_verifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

bool is_valid_s256_challenge(std::string_view challenge) {
  if (challenge.size() != 43) return false;
  const auto bytes = base64url_decode(challenge);
  return bytes && bytes->size() == 32;
}

bool pkce_verify(std::string_view code_verifier, std::string_view code_challenge) {
  if (!is_valid_code_verifier(code_verifier)) return false;
  return equal_constant_time(pkce_s256_challenge(code_verifier), code_challenge);
}

}  // namespace keyward::grants
