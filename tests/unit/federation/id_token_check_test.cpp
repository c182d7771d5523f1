// check_id_token with tokens signed on the spot by jose's own signer: a valid token passes,
// and every forgery or slip OIDC Core §3.1.3.7 names is refused by its own check. Each
// refusal test starts from the valid token and changes one thing, so it fails if that one
// check is missing.
#include <gtest/gtest.h>

#include "federation/id_token_check.h"
#include "jose/jwks.h"
#include "tests/unit/resource_server/test_keys.h"

namespace keyward::test {
namespace {

using federation::IdTokenFault;
using jose::Status;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kIssuer = "https://accounts.example.com";
const std::string kClient = "keyward-at-upstream";
const std::string kNonce = "n-0S6_WzA2Mj";

class IdTokenCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(make_key("rsa-1"));
    ec_ = new TestKey(make_key("ec-1", jose::Alg::ES256));
    ed_ = new TestKey(make_key("ed-1", jose::Alg::EdDSA));
    impostor_ = new TestKey(make_key("rsa-1"));  // the same kid, another key
  }
  static void TearDownTestSuite() {
    for (auto* k : {rsa_, ec_, ed_, impostor_}) delete k;
  }

  const TimePoint now_ = TimePoint(std::chrono::seconds(1'800'000'000));

  json claims() const {
    return {{"iss", kIssuer},
            {"sub", "110169484474386276334"},
            {"aud", kClient},
            {"iat", unix_seconds(now_)},
            {"exp", unix_seconds(now_) + 3600},
            {"nonce", kNonce},
            {"email", "alice@example.com"}};
  }

  federation::IdTokenExpectations expected() const { return {kIssuer, kClient, kNonce, now_, 60s}; }

  static jose::Jwks jwks() { return jose::Jwks::parse(jwks_json({rsa_, ec_, ed_})).value(); }

  static std::string sign_with(const TestKey& key, const json& c, std::string typ = "JWT") {
    return sign(key, c, std::move(typ));
  }

  Result<json, federation::IdTokenError> check(const std::string& token) const {
    return federation::check_id_token(token, jwks(), expected());
  }

  // Expects the refusal `fault` (and `status`, for Jose).
  void expect_refused(const std::string& token, IdTokenFault fault,
                      Status status = Status::Ok) const {
    auto r = check(token);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().fault, fault) << r.error().describe();
    EXPECT_EQ(r.error().status, status) << r.error().describe();
    // Logs name the check, never the token or what it carries.
    EXPECT_EQ(r.error().describe().find(kNonce), std::string::npos);
    EXPECT_EQ(r.error().describe().find(token.substr(0, 20)), std::string::npos);
  }

  static TestKey* rsa_;
  static TestKey* ec_;
  static TestKey* ed_;
  static TestKey* impostor_;
};

TestKey* IdTokenCheck::rsa_ = nullptr;
TestKey* IdTokenCheck::ec_ = nullptr;
TestKey* IdTokenCheck::ed_ = nullptr;
TestKey* IdTokenCheck::impostor_ = nullptr;

TEST_F(IdTokenCheck, AcceptsAValidTokenWithEachAllowedAlgorithm) {
  for (const TestKey* key : {rsa_, ec_, ed_}) {
    auto r = check(sign_with(*key, claims()));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->at("sub"), "110169484474386276334");
    EXPECT_EQ(r->at("email"), "alice@example.com");
  }
}

TEST_F(IdTokenCheck, SignatureByAnotherKeyUnderAPublishedKidIsRefused) {
  expect_refused(sign_with(*impostor_, claims()), IdTokenFault::Jose, Status::JwtSignatureInvalid);
}

TEST_F(IdTokenCheck, TamperedPayloadIsRefused) {
  json other = claims();
  other["sub"] = "someone-else";
  expect_refused(with_payload(sign_with(*rsa_, claims()), other), IdTokenFault::Jose,
                 Status::JwtSignatureInvalid);
}

TEST_F(IdTokenCheck, UnknownKidIsReportedSoTheCallerMayRefetch) {
  const TestKey stranger = make_key("rotated-2");
  auto r = check(sign_with(stranger, claims()));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().kid_unknown());
  // No other refusal asks for a refetch.
  auto forged = check(sign_with(*impostor_, claims()));
  ASSERT_FALSE(forged.ok());
  EXPECT_FALSE(forged.error().kid_unknown());
}

TEST_F(IdTokenCheck, AlgNoneAndHs256AreRefusedWhateverTheyCarry) {
  expect_refused(unsigned_token({{"alg", "none"}, {"kid", "rsa-1"}}, claims()), IdTokenFault::Jose,
                 Status::JwtAlgNotAllowed);
  // RFC 8725 §2.1: HMAC "signed" with the public key an attacker can read.
  expect_refused(hs256_token(public_pem(*rsa_), "rsa-1", claims()), IdTokenFault::Jose,
                 Status::JwtAlgNotAllowed);
}

TEST_F(IdTokenCheck, WrongIssuerIsRefused) {
  for (const std::string& iss :
       std::vector<std::string>{"https://evil.example.com", kIssuer + "/", ""}) {
    json c = claims();
    c["iss"] = iss;
    expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtIssuerMismatch);
  }
}

TEST_F(IdTokenCheck, WrongAudienceIsRefused) {
  json c = claims();
  c["aud"] = "another-client";
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtAudienceMismatch);
  c["aud"] = json::array({"another-client", "a-third"});
  c["azp"] = "another-client";
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtAudienceMismatch);
  c.erase("aud");
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtAudienceMismatch);
}

TEST_F(IdTokenCheck, SeveralAudiencesNeedAnAzpThatIsUs) {
  json c = claims();
  c["aud"] = json::array({kClient, "another-client"});
  expect_refused(sign_with(*rsa_, c), IdTokenFault::AzpMissing);
  c["azp"] = "another-client";
  expect_refused(sign_with(*rsa_, c), IdTokenFault::AzpMismatch);
  c["azp"] = kClient;
  EXPECT_TRUE(check(sign_with(*rsa_, c)).ok());
}

TEST_F(IdTokenCheck, AnAzpNamingAnotherClientIsRefusedEvenWithOneAudience) {
  json c = claims();
  c["azp"] = "another-client";
  expect_refused(sign_with(*rsa_, c), IdTokenFault::AzpMismatch);
  c["azp"] = 42;
  expect_refused(sign_with(*rsa_, c), IdTokenFault::AzpMismatch);
  c["azp"] = kClient;
  EXPECT_TRUE(check(sign_with(*rsa_, c)).ok());
}

TEST_F(IdTokenCheck, MissingOrWrongNonceIsRefused) {
  json c = claims();
  c.erase("nonce");
  expect_refused(sign_with(*rsa_, c), IdTokenFault::NonceMissing);
  c["nonce"] = 12;
  expect_refused(sign_with(*rsa_, c), IdTokenFault::NonceMissing);
  c["nonce"] = kNonce + "x";
  expect_refused(sign_with(*rsa_, c), IdTokenFault::NonceMismatch);
  c["nonce"] = "";
  expect_refused(sign_with(*rsa_, c), IdTokenFault::NonceMismatch);
}

TEST_F(IdTokenCheck, ExpiredBeyondLeewayIsRefused) {
  json c = claims();
  c["exp"] = unix_seconds(now_) - 30;  // within the 60 s leeway
  EXPECT_TRUE(check(sign_with(*rsa_, c)).ok());
  c["exp"] = unix_seconds(now_) - 61;
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtExpired);
  c.erase("exp");
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtMissingClaim);
}

TEST_F(IdTokenCheck, IatInTheFutureOrMissingIsRefused) {
  json c = claims();
  c["iat"] = unix_seconds(now_) + 30;
  EXPECT_TRUE(check(sign_with(*rsa_, c)).ok());
  c["iat"] = unix_seconds(now_) + 120;
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtIatInFuture);
  c.erase("iat");
  expect_refused(sign_with(*rsa_, c), IdTokenFault::Jose, Status::JwtMissingClaim);
}

TEST_F(IdTokenCheck, SubMustBeAUsableString) {
  json c = claims();
  c.erase("sub");
  expect_refused(sign_with(*rsa_, c), IdTokenFault::SubjectInvalid);
  for (const json& bad :
       {json(""), json(12345), json(std::string(256, 'a')), json(std::string("ab\0c", 4))}) {
    c["sub"] = bad;
    expect_refused(sign_with(*rsa_, c), IdTokenFault::SubjectInvalid);
  }
  c["sub"] = std::string(255, 'a');
  EXPECT_TRUE(check(sign_with(*rsa_, c)).ok());
}

TEST_F(IdTokenCheck, AnAccessTokenIsNotAnIdToken) {
  expect_refused(sign_with(*rsa_, claims(), "at+jwt"), IdTokenFault::AccessTokenTyp);
  expect_refused(sign_with(*rsa_, claims(), "application/AT+JWT"), IdTokenFault::AccessTokenTyp);
}

}  // namespace
}  // namespace keyward::test
