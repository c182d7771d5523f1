// jose/jwt.h, jws.h, verify.h: parsing and verifying a compact JWS from arbitrary bytes.
// Invariants: what parses is exactly three base64url parts whose first two are JSON objects,
// and the accessors agree with the text; the header check never lets through an algorithm
// off the allow-list; and a signature verifies only over the one message ever signed with the
// fuzz key (Ed25519 signatures are deterministic and OpenSSL refuses malleated ones), so no
// mutation of a valid token verifies.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/base64url.h"
#include "jose/jwk.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "jose/verify.h"
#include "tests/fuzz/fuzz_check.h"

using namespace keyward;
using namespace keyward::jose;

namespace {

// PKCS#8 DER of a fixed Ed25519 key: public test material, used only by this target. The
// seed corpus holds a token signed with it (tests/fuzz/corpus/jwt/valid_eddsa).
constexpr unsigned char kFuzzKeyDer[] = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    0x30, 0x10, 0x75, 0xb5, 0x82, 0x7d, 0x60, 0x40, 0xf3, 0xcd, 0x45, 0x2b, 0x29, 0xe6, 0x35, 0x88,
    0xb8, 0x32, 0x20, 0x61, 0x31, 0x63, 0x89, 0x52, 0x95, 0x86, 0xf8, 0x4c, 0x21, 0x31, 0xe3, 0xe7};

// The only message ever signed with that key.
constexpr std::string_view kSignedInput =
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImZ1enoiLCJ0eXAiOiJhdCtqd3QifQ."
    "eyJhdWQiOiJhcGkiLCJleHAiOjIwMDAwMDAwMDAsImlhdCI6MTcwMDAwMDAwMCwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXIu"
    "ZXhhbXBsZSIsInNjb3BlIjoicmVhZCIsInN1YiI6InUxIn0";
// Its signature, so that the target can tell it is really verifying (the seed must pass).
constexpr std::string_view kSignature =
    "8r2ISdsN_pcUxgdwdrqPH-p3ASa9KujWgqXzmx-kSGn84SWG_VhULDU0ypX7UNnm2Ef_CNpcpT0pEJxTNOHUDg";

const Jwks& fuzz_jwks() {
  static const Jwks jwks = [] {
    auto key = PrivateKey::from_pkcs8_der(
        std::string_view(reinterpret_cast<const char*>(kFuzzKeyDer), sizeof kFuzzKeyDer));
    FUZZ_CHECK(key.ok());
    return Jwks::from_keys({Jwk::from_public_key(key->public_key(), "fuzz")});
  }();
  return jwks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Jwks& jwks = fuzz_jwks();

  auto parsed = Jwt::parse(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.error() != Status::Ok);
    return 0;
  }
  const Jwt& jwt = *parsed;
  FUZZ_CHECK(jwt.compact() == input);
  const size_t first = input.find('.');
  const size_t second = input.find('.', first + 1);
  FUZZ_CHECK(first != std::string_view::npos && second != std::string_view::npos);
  FUZZ_CHECK(input.find('.', second + 1) == std::string_view::npos);
  FUZZ_CHECK(jwt.signing_input() == input.substr(0, second));
  const auto signature = base64url_decode(input.substr(second + 1));
  FUZZ_CHECK(signature && *signature == jwt.signature());
  FUZZ_CHECK(jwt.header().json().is_object() && jwt.claims().is_object());
  FUZZ_CHECK(jwt.header().json().at("alg").get<std::string>() == jwt.header().alg());

  const Status header = check_jws_header(jwt, kAllAlgs);
  if (!parse_alg(jwt.header().alg())) FUZZ_CHECK(header != Status::Ok);
  std::array<Alg, 1> only_rs256 = {Alg::RS256};
  if (jwt.header().alg() != "RS256") FUZZ_CHECK(check_jws_header(jwt, only_rs256) != Status::Ok);

  const Status verified = verify_signature(jwt, jwks, kAllAlgs);
  if (input == std::string(kSignedInput) + "." + std::string(kSignature)) {
    FUZZ_CHECK(verified == Status::Ok);
  }
  if (verified == Status::Ok) {
    FUZZ_CHECK(jwt.signing_input() == kSignedInput);
    FUZZ_CHECK(header == Status::Ok);
  }

  ClaimPolicy policy;
  policy.issuer = "https://issuer.example";
  policy.audiences = {"api"};
  policy.typ = "at+jwt";
  const auto now = TimePoint(std::chrono::seconds(1800000000));
  (void)validate_claims(jwt, policy, now);
  auto full = verify_jwt(input, jwks, kAllAlgs, policy, now);
  if (verified == Status::Ok) FUZZ_CHECK(full.ok());
  if (full.ok()) FUZZ_CHECK(verified == Status::Ok && full->signing_input() == kSignedInput);
  return 0;
}
