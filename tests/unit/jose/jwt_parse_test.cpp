#include <gtest/gtest.h>

#include "common/base64url.h"
#include "jose/jwt.h"
#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;
using json = nlohmann::json;

std::string b64(std::string_view s) {
  return base64url_encode(s);
}

Status parse_error(std::string_view compact) {
  auto jwt = Jwt::parse(compact);
  return jwt.ok() ? Status::Ok : jwt.error();
}

const std::string kHeader = b64(R"({"alg":"RS256","kid":"k1","typ":"at+jwt"})");
const std::string kPayload = b64(R"({"iss":"i","exp":5})");
const std::string kSignature = b64("0123456789");

TEST(JwtParse, WellFormedToken) {
  auto jwt = Jwt::parse(kHeader + "." + kPayload + "." + kSignature);
  ASSERT_TRUE(jwt.ok()) << to_string(jwt.error());
  EXPECT_EQ(jwt->header().alg(), "RS256");
  EXPECT_EQ(jwt->header().kid(), "k1");
  EXPECT_EQ(jwt->header().typ(), "at+jwt");
  EXPECT_EQ(jwt->claims().at("iss"), "i");
  EXPECT_EQ(jwt->signing_input(), kHeader + "." + kPayload);
  EXPECT_EQ(jwt->signature(), "0123456789");
}

TEST(JwtParse, AbsentKidAndTyp) {
  auto jwt = Jwt::parse(b64(R"({"alg":"ES256"})") + "." + kPayload + "." + kSignature);
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->header().kid(), "");
  EXPECT_EQ(jwt->header().typ(), std::nullopt);
}

TEST(JwtParse, EmptySignatureParsesSoThatAlgNoneIsReportedAsSuch) {
  auto jwt = Jwt::parse(b64(R"({"alg":"none"})") + "." + kPayload + ".");
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->signature(), "");
}

TEST(JwtParse, Rfc7515_7_1_ExactlyThreeParts) {
  EXPECT_EQ(parse_error(""), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + "." + kSignature + "."), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + "." + kSignature + "." + kSignature + "." +
                        kSignature),
            Status::JwtBadFormat);  // a JWE
  EXPECT_EQ(parse_error("." + kPayload + "." + kSignature), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + ".." + kSignature), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(".."), Status::JwtBadFormat);
}

TEST(JwtParse, Rfc7515_2_StrictBase64Url) {
  const std::string sig_padded = b64("0123456789a") + "=";  // 11 bytes: 15 chars + 1 pad
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + "." + sig_padded), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "=." + kPayload + "." + kSignature), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + "==." + kSignature), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + "." + kSignature + " "), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(" " + kHeader + "." + kPayload + "." + kSignature), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + ".\n" + kPayload + "." + kSignature), Status::JwtBadFormat);
  // Standard base64's alphabet: '+' and '/'.
  const std::string plus = b64("\xfb\xef\xbe");  // "----" in base64url
  ASSERT_EQ(plus, "----");
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + ".++++"), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + ".////"), Status::JwtBadFormat);
  // Non-zero leftover bits: "AB" would decode like "AA".
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + ".AB"), Status::JwtBadFormat);
  EXPECT_EQ(parse_error(kHeader + "." + kPayload + ".AAAAA"), Status::JwtBadFormat);  // 5 chars
}

TEST(JwtParse, TooLong) {
  const std::string big = b64(json{{"iss", std::string(Jwt::kMaxCompactSize, 'a')}}.dump());
  EXPECT_EQ(parse_error(kHeader + "." + big + "." + kSignature), Status::JwtBadFormat);
}

TEST(JwtParse, HeaderMustBeADuplicateFreeJsonObject) {
  auto token = [](std::string_view header) {
    return b64(header) + "." + kPayload + "." + kSignature;
  };
  EXPECT_EQ(parse_error(token("not json")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"(["RS256"])")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"("RS256")")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"alg":"RS256"} x)")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"alg":"none","alg":"RS256"})")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"alg":"RS256","kid":"a","kid":"b"})")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"kid":"k1"})")), Status::JwtHeaderBadJson);  // no alg
  EXPECT_EQ(parse_error(token(R"({"alg":null})")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"alg":["RS256"]})")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"alg":"RS256","kid":1})")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token(R"({"alg":"RS256","typ":{}})")), Status::JwtHeaderBadJson);
  EXPECT_EQ(parse_error(token("{\"alg\":\"RS256\",\"kid\":\"\xff\"}")), Status::JwtHeaderBadJson);
}

TEST(JwtParse, Rfc7519_7_2_PayloadMustBeADuplicateFreeJsonObject) {
  auto token = [](std::string_view payload) {
    return kHeader + "." + b64(payload) + "." + kSignature;
  };
  EXPECT_EQ(parse_error(token("not json")), Status::JwtPayloadBadJson);
  EXPECT_EQ(parse_error(token("[]")), Status::JwtPayloadBadJson);
  EXPECT_EQ(parse_error(token("42")), Status::JwtPayloadBadJson);
  EXPECT_EQ(parse_error(token(R"({"sub":"a","sub":"b"})")), Status::JwtPayloadBadJson);
  EXPECT_EQ(parse_error(token(R"({"act":{"sub":"a","sub":"b"}})")), Status::JwtPayloadBadJson);
  // The same name in different objects is fine.
  EXPECT_EQ(parse_error(token(R"({"sub":"a","act":{"sub":"b"}})")), Status::Ok);
  // Deeply nested input is refused rather than walked.
  EXPECT_EQ(parse_error(token(std::string(200, '[') + std::string(200, ']'))),
            Status::JwtPayloadBadJson);
  std::string nested = R"({"a":)";
  for (int i = 0; i < 40; ++i) nested += R"({"a":)";
  nested += "1" + std::string(41, '}');
  EXPECT_EQ(parse_error(token(nested)), Status::JwtPayloadBadJson);
}

}  // namespace
}  // namespace keyward::jose
