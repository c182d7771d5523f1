#pragma once
// A JWT in JWS compact serialisation (RFC 7519 §3, RFC 7515 §7.1): parsing, and signing for the
// issuer. Parsing establishes structure only; nothing in a Jwt is trusted until
// verify_signature() (jose/jws.h) and validate_claims() (jose/claims.h) both return Ok, which
// verify_jwt() (jose/verify.h) does in one call.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "jose/alg.h"
#include "jose/evp_key.h"
#include "jose/status.h"

namespace keyward::jose {

// The JOSE header (RFC 7515 §4) of a parsed token.
class JwsHeader {
 public:
  // RFC 7515 §4.1.1: required, a string; not yet checked against any allow-list.
  [[nodiscard]] const std::string& alg() const { return alg_; }
  // Empty when absent (an empty kid names no key either).
  [[nodiscard]] const std::string& kid() const { return kid_; }
  [[nodiscard]] const std::optional<std::string>& typ() const { return typ_; }
  [[nodiscard]] bool contains(std::string_view member) const { return json_.contains(member); }
  [[nodiscard]] const nlohmann::json& json() const { return json_; }

 private:
  friend class Jwt;
  nlohmann::json json_;
  std::string alg_;
  std::string kid_;
  std::optional<std::string> typ_;
};

class Jwt {
 public:
  // Far above any token we issue, and what a 64 KiB request can carry anyway.
  static constexpr size_t kMaxCompactSize = 64 * 1024;

  // Exactly three strict base64url parts (no padding, no '+' or '/', no whitespace); header and
  // payload duplicate-free UTF-8 JSON objects (RFC 7515 §5.2 steps 1-4, RFC 7519 §7.2 steps
  // 2-10); alg a string, kid and typ strings when present. The signature part may be empty so
  // that alg "none" is reported as JwtAlgNotAllowed by the verifier rather than as bad format.
  [[nodiscard]] static Result<Jwt, Status> parse(std::string_view compact);

  [[nodiscard]] const JwsHeader& header() const { return header_; }
  [[nodiscard]] const nlohmann::json& claims() const { return claims_; }
  // ASCII(BASE64URL(header) '.' BASE64URL(payload)): what the signature covers.
  [[nodiscard]] std::string_view signing_input() const {
    return std::string_view(compact_).substr(0, signing_input_size_);
  }
  // The decoded JWS Signature bytes.
  [[nodiscard]] std::string_view signature() const { return signature_; }
  [[nodiscard]] const std::string& compact() const { return compact_; }

 private:
  Jwt() = default;

  std::string compact_;
  size_t signing_input_size_ = 0;
  JwsHeader header_;
  nlohmann::json claims_;
  std::string signature_;
};

// Header members besides alg: kid names the key in the JWKS (RFC 7515 §4.1.4), typ the kind
// of token (RFC 9068 §2.1 "at+jwt"). Empty members are omitted.
struct JwtHeaderParams {
  std::string kid;
  std::string typ;
};

// Signs many tokens with one key: the key stays a ready EVP_PKEY and the encoded header is built
// once, so each token costs one JSON dump, one EVP_DigestSign and the base64url encodings.
// Thread-safe: sign() is const and shares nothing mutable.
class JwtSigner {
 public:
  JwtSigner(PrivateKey key, JwtHeaderParams header);

  // claims must be a JSON object; std::invalid_argument otherwise.
  [[nodiscard]] std::string sign(const nlohmann::json& claims) const;

  [[nodiscard]] Alg alg() const { return key_.alg(); }
  [[nodiscard]] const std::string& kid() const { return kid_; }
  [[nodiscard]] const PrivateKey& key() const { return key_; }

 private:
  PrivateKey key_;
  std::string kid_;
  std::string prefix_;  // BASE64URL(header) '.'
};

// One-off signing. alg must be the key's (RSA: RS256, P-256: ES256, Ed25519: EdDSA); a mismatch
// is a programming error and throws std::invalid_argument, as do claims that are not an object.
[[nodiscard]] std::string sign_jwt(const JwtHeaderParams& header, const nlohmann::json& claims,
                                   const PrivateKey& key, Alg alg);

}  // namespace keyward::jose
