#pragma once
// Shared vectors and helpers for the jose unit tests.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/base64url.h"
#include "jose/evp_key.h"
#include "jose/jwk.h"
#include "jose/jwks.h"
#include "jose/jwt.h"

namespace keyward::jose::test {

// RFC 7515 Appendix A.2 (RS256); the key is RFC 7517 Appendix A.1/A.2's.
inline constexpr std::string_view kA2Modulus =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4"
    "QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdb"
    "BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-D"
    "WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
inline constexpr std::string_view kA2PrivateExponent =
    "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoA"
    "Je46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpR"
    "LI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZF"
    "D9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";
inline constexpr std::string_view kA2FirstPrime =
    "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJd"
    "TJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
inline constexpr std::string_view kA2SigningInput =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
inline constexpr std::string_view kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujG"
    "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6"
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// RFC 7515 Appendix A.3 (ES256): same payload, the P-256 key of RFC 7515 A.3.1.
inline constexpr std::string_view kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
inline constexpr std::string_view kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
inline constexpr std::string_view kA3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
inline constexpr std::string_view kA3SigningInput =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
inline constexpr std::string_view kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 8037 Appendix A (Ed25519): A.1 key, A.3 thumbprint, A.4 signature.
inline constexpr std::string_view kEd25519D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
inline constexpr std::string_view kEd25519X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
inline constexpr std::string_view kEd25519Thumbprint =
    "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
inline constexpr std::string_view kEd25519SigningInput =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
inline constexpr std::string_view kEd25519Signature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7638 §3.1.
inline constexpr std::string_view kRfc7638Modulus =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe"
    "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY36"
    "8QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4l"
    "Fd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
inline constexpr std::string_view kRfc7638Thumbprint =
    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

inline nlohmann::json a2_public_jwk() {
  return {{"kty", "RSA"}, {"n", kA2Modulus}, {"e", "AQAB"}};
}

inline nlohmann::json a3_public_jwk() {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", kA3Y}};
}

inline nlohmann::json ed25519_public_jwk() {
  return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kEd25519X}};
}

// The RFC's private keys as PrivateKey objects, imported the way the key store imports keys
// (PKCS#8 DER); built with OpenSSL directly since the JWK import is public-only by design.
PrivateKey a2_private_key();
PrivateKey a3_private_key();
PrivateKey ed25519_private_key();

// Generated keys, made once per test binary (RSA generation takes a while).
const PrivateKey& rsa_key();
const PrivateKey& rsa_key_2();
const PrivateKey& ec_key();
const PrivateKey& ed_key();

inline constexpr std::string_view kIssuer = "https://issuer.example";
inline constexpr long long kNow = 1'700'000'000;

// Claims valid at kNow for kIssuer and audience "api".
inline nlohmann::json good_claims() {
  return {{"iss", kIssuer}, {"sub", "alice"},    {"aud", "api"},
          {"iat", kNow},    {"exp", kNow + 300}, {"jti", "j1"}};
}

// A token over arbitrary header and claims with an arbitrary signature: for crafting hostile
// input that no honest signer produces.
inline std::string craft(const nlohmann::json& header, const nlohmann::json& claims,
                         std::string_view signature_bytes) {
  return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump()) + "." +
         base64url_encode(signature_bytes);
}

// Signs exactly the given header (alg included, whatever it says) and claims with key.
std::string sign_raw_header(const nlohmann::json& header, const nlohmann::json& claims,
                            const PrivateKey& key);

// After jwt_verify_lib's fuzzJwtSignature: calls check with every token that differs from
// compact in exactly one bit of its decoded signature. Returns how many it made.
size_t flip_every_signature_bit(std::string_view compact,
                                const std::function<void(const std::string&)>& check);

}  // namespace keyward::jose::test
