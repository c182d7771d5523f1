#pragma once
// Keys and tokens for the verifier tests: real RSA keys, real signatures, and the forgeries
// the verifier must refuse (alg none, HS256 keyed with the public key, a tampered payload).
#include <openssl/pem.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base64url.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "jose/evp_key.h"
#include "jose/jwk.h"
#include "jose/jwt.h"

namespace keyward::test {

struct TestKey {
  jose::PrivateKey key;
  std::string kid;
};

inline TestKey make_key(std::string kid, jose::Alg alg = jose::Alg::RS256) {
  return TestKey{jose::PrivateKey::generate(alg), std::move(kid)};
}

inline std::string jwks_json(const std::vector<const TestKey*>& keys) {
  nlohmann::json doc = {{"keys", nlohmann::json::array()}};
  for (const auto* k : keys) {
    doc["keys"].push_back(jose::Jwk::from_public_key(k->key.public_key(), k->kid).to_json());
  }
  return doc.dump();
}

// RFC 9068 §2.2 claims of a valid access token at `now`.
inline nlohmann::json access_claims(const std::string& issuer, TimePoint now,
                                    std::string scope = "api:read") {
  return {{"iss", issuer},
          {"sub", "user-1"},
          {"aud", "sample-api"},
          {"client_id", "c1"},
          {"scope", std::move(scope)},
          {"jti", "jti-1"},
          {"iat", unix_seconds(now)},
          {"exp", unix_seconds(now) + 600}};
}

inline std::string sign(const TestKey& k, const nlohmann::json& claims,
                        std::string typ = "at+jwt") {
  return jose::sign_jwt(jose::JwtHeaderParams{k.kid, std::move(typ)}, claims, k.key, k.key.alg());
}

inline std::string unsigned_token(const nlohmann::json& header, const nlohmann::json& claims) {
  return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump()) + ".";
}

// The public key as PEM: what an algorithm-confusion attacker uses as the HMAC secret.
inline std::string public_pem(const TestKey& k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, k.key.public_key().evp());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

inline std::string hs256_token(const std::string& secret, const std::string& kid,
                               const nlohmann::json& claims) {
  const std::string input =
      base64url_encode(nlohmann::json{{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", kid}}.dump()) +
      "." + base64url_encode(claims.dump());
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

// The same token with its payload replaced (signature kept): a tampered token.
inline std::string with_payload(const std::string& token, const nlohmann::json& claims) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  return token.substr(0, first + 1) + base64url_encode(claims.dump()) + token.substr(second);
}

}  // namespace keyward::test
