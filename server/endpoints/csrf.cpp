#include "server/endpoints/csrf.h"

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::server {

std::string csrf_token(std::string_view session_csrf_secret) {
  return base64url_encode(hmac_sha256(session_csrf_secret, "keyward csrf v1"));
}

bool csrf_matches(std::string_view session_csrf_secret, std::string_view presented) {
  if (session_csrf_secret.empty()) return false;
  return equal_constant_time(csrf_token(session_csrf_secret), presented);
}

}  // namespace keyward::server
