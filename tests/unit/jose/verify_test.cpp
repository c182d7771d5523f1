// verify_signature() and verify_jwt(): the algorithm comes from the allow-list and the key,
// never from the token alone, and each way of failing has its own status.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "common/base64url.h"
#include "common/crypto.h"
#include "jose/jws.h"
#include "jose/verify.h"
#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;
using json = nlohmann::json;
using std::chrono::seconds;

constexpr Alg kRs256Only[] = {Alg::RS256};
constexpr Alg kAll[] = {Alg::RS256, Alg::ES256, Alg::EdDSA};

TimePoint at(long long epoch_seconds) {
  return TimePoint(seconds(epoch_seconds));
}

// One key of each type, published under its thumbprint.
struct Keys {
  Jwk rsa = Jwk::from_public_key(rsa_key().public_key());
  Jwk ec = Jwk::from_public_key(ec_key().public_key());
  Jwk ed = Jwk::from_public_key(ed_key().public_key());
  Jwks jwks = Jwks::from_keys({rsa, ec, ed});
};

const Keys& keys() {
  static const Keys k;
  return k;
}

Status verify(std::string_view token, std::span<const Alg> allowed = kAll,
              const Jwks& jwks = keys().jwks) {
  auto jwt = Jwt::parse(token);
  if (!jwt) return jwt.error();
  return verify_signature(*jwt, jwks, allowed);
}

std::string rs256_token(const json& claims = good_claims()) {
  return sign_jwt({.kid = keys().rsa.kid(), .typ = "at+jwt"}, claims, rsa_key(), Alg::RS256);
}

ClaimPolicy policy() {
  return ClaimPolicy{.issuer = std::string(kIssuer), .audiences = {"api"}, .typ = "at+jwt"};
}

TEST(Verify, EachAlgorithmRoundTrips) {
  EXPECT_EQ(verify(rs256_token()), Status::Ok);
  EXPECT_EQ(verify(sign_jwt({.kid = keys().ec.kid()}, good_claims(), ec_key(), Alg::ES256)),
            Status::Ok);
  EXPECT_EQ(verify(sign_jwt({.kid = keys().ed.kid()}, good_claims(), ed_key(), Alg::EdDSA)),
            Status::Ok);
}

TEST(Verify, Es256SignaturesAreRawRAndS) {
  const std::string token = sign_jwt({.kid = keys().ec.kid()}, good_claims(), ec_key(), Alg::ES256);
  auto jwt = Jwt::parse(token);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->signature().size(), 64u);  // RFC 7518 §3.4, never DER
  EXPECT_EQ(jwt->header().alg(), "ES256");
}

TEST(Verify, SignedHeaderCarriesAlgKidAndTyp) {
  auto jwt = Jwt::parse(rs256_token());
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->header().json(),
            json({{"alg", "RS256"}, {"kid", keys().rsa.kid()}, {"typ", "at+jwt"}}));
  EXPECT_EQ(jwt->claims(), good_claims());
}

TEST(Verify, SignerAndOneOffSigningAgree) {
  const JwtSigner signer(rsa_key(), {.kid = keys().rsa.kid(), .typ = "at+jwt"});
  EXPECT_EQ(signer.alg(), Alg::RS256);
  EXPECT_EQ(signer.kid(), keys().rsa.kid());
  const std::string a = signer.sign(good_claims());
  EXPECT_EQ(a, rs256_token());  // RSASSA-PKCS1-v1_5 is deterministic
  EXPECT_EQ(verify(a), Status::Ok);
  const JwtSigner ed_signer(ed_key(), {.kid = keys().ed.kid()});
  EXPECT_EQ(verify(ed_signer.sign(good_claims())), Status::Ok);
}

TEST(Verify, SigningRefusesMisuse) {
  EXPECT_THROW((void)sign_jwt({.kid = "k"}, good_claims(), rsa_key(), Alg::ES256),
               std::invalid_argument);
  EXPECT_THROW((void)sign_jwt({.kid = "k"}, json::array(), rsa_key(), Alg::RS256),
               std::invalid_argument);
  const JwtSigner signer(ec_key(), {.kid = "k"});
  EXPECT_THROW((void)signer.sign("claims"), std::invalid_argument);
}

TEST(Verify, OneSignerAndOneJwksAreSharedAcrossThreads) {
  // The token endpoint shares one JwtSigner per key and the resource server one Jwks.
  const JwtSigner signer(ec_key(), {.kid = keys().ec.kid()});
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        json claims = good_claims();
        claims["jti"] = std::to_string(t) + "-" + std::to_string(i);
        const std::string token = signer.sign(claims);
        auto jwt = Jwt::parse(token);
        if (jwt && verify_signature(*jwt, keys().jwks, kAll) == Status::Ok &&
            jwt->claims().at("jti") == claims.at("jti")) {
          ++verified;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(verified.load(), 200);
}

TEST(Verify, FlipEverySignatureBit_Rs256) {
  const size_t made = flip_every_signature_bit(rs256_token(), [](const std::string& t) {
    EXPECT_EQ(verify(t), Status::JwtSignatureInvalid);
  });
  EXPECT_EQ(made, 2048u);
}

TEST(Verify, FlipEverySignatureBit_Es256) {
  const std::string token = sign_jwt({.kid = keys().ec.kid()}, good_claims(), ec_key(), Alg::ES256);
  const size_t made = flip_every_signature_bit(
      token, [](const std::string& t) { EXPECT_EQ(verify(t), Status::JwtSignatureInvalid); });
  EXPECT_EQ(made, 512u);
}

TEST(Verify, FlipEverySignatureBit_EdDSA) {
  const std::string token = sign_jwt({.kid = keys().ed.kid()}, good_claims(), ed_key(), Alg::EdDSA);
  const size_t made = flip_every_signature_bit(
      token, [](const std::string& t) { EXPECT_EQ(verify(t), Status::JwtSignatureInvalid); });
  EXPECT_EQ(made, 512u);
}

TEST(Verify, TruncatedSignatures) {
  const std::string token = rs256_token();  // 256-byte signature: 342 base64url characters
  ASSERT_EQ(token.size() - token.rfind('.') - 1, 342u);
  // 341 characters: no byte string encodes to that length.
  EXPECT_EQ(verify(token.substr(0, token.size() - 1)), Status::JwtBadFormat);
  // 340 characters: 255 bytes, one short of the modulus.
  EXPECT_EQ(verify(token.substr(0, token.size() - 2)), Status::JwtSignatureInvalid);
  // No signature at all, and no signature part at all.
  EXPECT_EQ(verify(token.substr(0, token.rfind('.') + 1)), Status::JwtSignatureInvalid);
  EXPECT_EQ(verify(token.substr(0, token.rfind('.'))), Status::JwtBadFormat);
  // Every shorter prefix fails too, with a status about format or signature.
  for (size_t len = 0; len < token.size(); ++len) {
    const Status s = verify(token.substr(0, len));
    EXPECT_TRUE(s == Status::JwtBadFormat || s == Status::JwtSignatureInvalid ||
                s == Status::JwtHeaderBadJson || s == Status::JwtPayloadBadJson)
        << len << ": " << to_string(s);
  }
  // ES256: a 63-byte signature.
  const std::string es = sign_jwt({.kid = keys().ec.kid()}, good_claims(), ec_key(), Alg::ES256);
  auto jwt = Jwt::parse(es);
  ASSERT_TRUE(jwt.ok());
  const std::string short_sig =
      std::string(jwt->signing_input()) + "." + base64url_encode(jwt->signature().substr(0, 63));
  EXPECT_EQ(verify(short_sig), Status::JwtSignatureInvalid);
  const std::string long_sig = std::string(jwt->signing_input()) + "." +
                               base64url_encode(std::string(jwt->signature()) + '\0');
  EXPECT_EQ(verify(long_sig), Status::JwtSignatureInvalid);
}

TEST(Verify, RepaddedInputs) {
  const std::string token = rs256_token();  // 342 signature characters: would take "=="
  EXPECT_EQ(verify(token + "=="), Status::JwtBadFormat);
  EXPECT_EQ(verify(token + "="), Status::JwtBadFormat);
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  std::string padded_payload = token;
  padded_payload.insert(dot2, "=");
  EXPECT_EQ(verify(padded_payload), Status::JwtBadFormat);
  std::string padded_header = token;
  padded_header.insert(dot1, "=");
  EXPECT_EQ(verify(padded_header), Status::JwtBadFormat);
}

TEST(Verify, Rfc8725_3_1_AlgNoneIsRefused) {
  const json header = {{"alg", "none"}, {"kid", keys().rsa.kid()}};
  EXPECT_EQ(verify(craft(header, good_claims(), "")), Status::JwtAlgNotAllowed);
  // Even with the real RS256 signature attached.
  auto real = Jwt::parse(rs256_token());
  EXPECT_EQ(verify(craft(header, good_claims(), real->signature())), Status::JwtAlgNotAllowed);
  for (const char* spelling : {"None", "NONE", "nOnE"}) {
    EXPECT_EQ(verify(craft({{"alg", spelling}, {"kid", keys().rsa.kid()}}, good_claims(), "")),
              Status::JwtAlgNotAllowed);
  }
}

TEST(Verify, Rfc8725_2_1_Hs256KeyedWithTheRsaPublicKeyIsRefused) {
  // The classic algorithm confusion: an attacker signs with HMAC using the published RSA key's
  // bytes as the secret, hoping the verifier feeds "the key" to whatever alg the token names.
  const json header = {{"alg", "HS256"}, {"kid", keys().rsa.kid()}};
  const std::string input =
      base64url_encode(header.dump()) + "." + base64url_encode(good_claims().dump());
  for (const std::string& secret : {rsa_key().public_key().to_spki_der(),
                                    keys().jwks.to_public_json(), keys().rsa.to_json().dump()}) {
    const std::string token = input + "." + base64url_encode(hmac_sha256(secret, input));
    EXPECT_EQ(verify(token), Status::JwtAlgNotAllowed);
    EXPECT_EQ(verify(token, kRs256Only), Status::JwtAlgNotAllowed);
  }
}

TEST(Verify, AlgMustBeOnTheAllowList) {
  const std::string es = sign_jwt({.kid = keys().ec.kid()}, good_claims(), ec_key(), Alg::ES256);
  EXPECT_EQ(verify(es, kRs256Only), Status::JwtAlgNotAllowed);
  EXPECT_EQ(verify(rs256_token(), std::span<const Alg>()), Status::JwtAlgNotAllowed);
  for (const char* alg : {"PS256", "RS512", "ES384", "Ed25519", "rs256", "HS512"}) {
    EXPECT_EQ(verify(craft({{"alg", alg}, {"kid", keys().rsa.kid()}}, good_claims(), "sig")),
              Status::JwtAlgNotAllowed)
        << alg;
  }
}

TEST(Verify, TheTokensAlgCannotRepurposeAKeyOfAnotherType) {
  // An ES256 token naming the RSA key's kid: key selection, not the token, decides.
  const std::string token =
      sign_raw_header({{"alg", "ES256"}, {"kid", keys().rsa.kid()}}, good_claims(), ec_key());
  EXPECT_EQ(verify(token), Status::JwksKeyMismatch);
}

TEST(Verify, Rfc8725_3_10_EmbeddedKeysAndCritAreRefused) {
  const std::map<std::string, json> members = {
      {"jwk", keys().rsa.to_json()},
      {"jku", "https://attacker.example/jwks.json"},
      {"x5u", "https://attacker.example/cert.pem"},
      {"x5c", json::array({"MIIB"})},
      {"crit", json::array({"exp"})},
  };
  for (const auto& [name, value] : members) {
    json header = {{"alg", "RS256"}, {"kid", keys().rsa.kid()}};
    header[name] = value;
    // Properly signed by the real key: the member alone is the reason.
    EXPECT_EQ(verify(sign_raw_header(header, good_claims(), rsa_key())),
              Status::JwtHeaderForbiddenMember)
        << name;
  }
  // A token that brings its own key and signs with it.
  const PrivateKey& attacker = rsa_key_2();
  json header = {{"alg", "RS256"},
                 {"kid", keys().rsa.kid()},
                 {"jwk", Jwk::from_public_key(attacker.public_key()).to_json()}};
  EXPECT_EQ(verify(sign_raw_header(header, good_claims(), attacker)),
            Status::JwtHeaderForbiddenMember);
}

TEST(Verify, KidIsRequired) {
  EXPECT_EQ(verify(sign_jwt({}, good_claims(), rsa_key(), Alg::RS256)), Status::JwtKidMissing);
  EXPECT_EQ(verify(sign_jwt({.kid = ""}, good_claims(), rsa_key(), Alg::RS256)),
            Status::JwtKidMissing);
}

TEST(Verify, UnknownKidIsNotABadSignature) {
  // The resource server refetches the JWKS on the first and never on the second.
  const std::string unknown = sign_jwt({.kid = "rotated-in"}, good_claims(), rsa_key(), Alg::RS256);
  EXPECT_EQ(verify(unknown), Status::JwtKidUnknown);
  // A token signed by another key under a published kid.
  const std::string forged =
      sign_jwt({.kid = keys().rsa.kid()}, good_claims(), rsa_key_2(), Alg::RS256);
  EXPECT_EQ(verify(forged), Status::JwtSignatureInvalid);
}

TEST(Verify, KeyWhoseKtyAlgOrUseDoesNotFit) {
  auto variant = [](const char* member, json value) {
    json jwk = keys().rsa.to_json();
    jwk[member] = std::move(value);
    return Jwks::from_json({{"keys", {jwk}}}).value();
  };
  const std::string token = rs256_token();
  EXPECT_EQ(verify(token, kAll, variant("use", "enc")), Status::JwksKeyMismatch);
  EXPECT_EQ(verify(token, kAll, variant("alg", "PS256")), Status::JwksKeyMismatch);
  EXPECT_EQ(verify(token, kAll, variant("key_ops", {"encrypt"})), Status::JwksKeyMismatch);
  EXPECT_EQ(verify(token, kAll, variant("use", "sig")), Status::Ok);
  // An EC key published under the RSA key's kid.
  json ec = keys().ec.to_json();
  ec["kid"] = keys().rsa.kid();
  EXPECT_EQ(verify(token, kAll, Jwks::from_json({{"keys", {ec}}}).value()),
            Status::JwksKeyMismatch);
}

TEST(Verify, SignatureCoversHeaderAndPayload) {
  auto jwt = Jwt::parse(rs256_token());
  ASSERT_TRUE(jwt.ok());
  json claims = good_claims();
  claims["sub"] = "mallory";
  EXPECT_EQ(verify(craft(jwt->header().json(), claims, jwt->signature())),
            Status::JwtSignatureInvalid);
  json header = jwt->header().json();
  header["typ"] = "JWT";
  EXPECT_EQ(verify(craft(header, good_claims(), jwt->signature())), Status::JwtSignatureInvalid);
}

TEST(VerifyJwt, ValidTokenComesBackWithItsClaims) {
  auto jwt = verify_jwt(rs256_token(), keys().jwks, kAll, policy(), at(kNow));
  ASSERT_TRUE(jwt.ok()) << to_string(jwt.error());
  EXPECT_EQ(jwt->claims().at("sub"), "alice");
}

TEST(VerifyJwt, CheapChecksComeFirst) {
  json expired = good_claims();
  expired["exp"] = kNow - 1;
  // Expired and from an unknown kid: no refetch is triggered for a token that is dead anyway.
  const std::string token =
      sign_jwt({.kid = "unknown", .typ = "at+jwt"}, expired, rsa_key(), Alg::RS256);
  EXPECT_EQ(verify_jwt(token, keys().jwks, kAll, policy(), at(kNow)).error(), Status::JwtExpired);
  // Header checks precede claims.
  EXPECT_EQ(verify_jwt(craft({{"alg", "none"}}, expired, ""), keys().jwks, kAll, policy(), at(kNow))
                .error(),
            Status::JwtAlgNotAllowed);
  EXPECT_EQ(verify_jwt("garbage", keys().jwks, kAll, policy(), at(kNow)).error(),
            Status::JwtBadFormat);
}

TEST(VerifyJwt, ValidClaimsDoNotRescueABadSignatureOrUnknownKid) {
  const std::string forged =
      sign_jwt({.kid = keys().rsa.kid(), .typ = "at+jwt"}, good_claims(), rsa_key_2(), Alg::RS256);
  EXPECT_EQ(verify_jwt(forged, keys().jwks, kAll, policy(), at(kNow)).error(),
            Status::JwtSignatureInvalid);
  const std::string unknown =
      sign_jwt({.kid = "next-key", .typ = "at+jwt"}, good_claims(), rsa_key(), Alg::RS256);
  EXPECT_EQ(verify_jwt(unknown, keys().jwks, kAll, policy(), at(kNow)).error(),
            Status::JwtKidUnknown);
}

TEST(VerifyJwt, PolicyIsApplied) {
  ClaimPolicy other = policy();
  other.audiences = {"other-api"};
  EXPECT_EQ(verify_jwt(rs256_token(), keys().jwks, kAll, other, at(kNow)).error(),
            Status::JwtAudienceMismatch);
  other = policy();
  other.typ = "id_token+jwt";
  EXPECT_EQ(verify_jwt(rs256_token(), keys().jwks, kAll, other, at(kNow)).error(),
            Status::JwtTypMismatch);
}

}  // namespace
}  // namespace keyward::jose
