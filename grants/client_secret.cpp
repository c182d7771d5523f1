#include "grants/client_secret.h"

#include "common/crypto.h"

namespace keyward::grants {

namespace {
constexpr std::string_view kInfo = "keyward client-secret v1";
}  // namespace

std::string client_secret_key(std::string_view master_key) {
  return hkdf_sha256(master_key, kInfo);
}

std::string client_secret_hmac(std::string_view secret_key, std::string_view secret) {
  return hmac_sha256(secret_key, secret);
}

NewClientSecret generate_client_secret(std::string_view secret_key) {
  NewClientSecret out;
  out.secret = random_token(32);  // 256 bits
  out.hmac = client_secret_hmac(secret_key, out.secret);
  return out;
}

}  // namespace keyward::grants
