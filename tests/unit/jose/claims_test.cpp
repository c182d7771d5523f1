// RFC 7519 §4.1 claim checks and RFC 9068 §4 typ, table-driven.
#include "jose/claims.h"

#include <gtest/gtest.h>

#include "tests/unit/jose/test_support.h"

namespace keyward::jose {
namespace {

using namespace test;
using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr long long T = 1'000'000;  // "now" in these cases

TimePoint at(long long epoch_seconds) {
  return TimePoint(seconds(epoch_seconds));
}

// A parsed token with the given header members (alg is added) and claims; the signature is
// irrelevant to claim validation.
Jwt token(const json& claims, const json& header_extra = json::object()) {
  json header = {{"alg", "RS256"}, {"kid", "k"}};
  header.update(header_extra);
  return Jwt::parse(craft(header, claims, "sig")).value();
}

ClaimPolicy base_policy() {
  return ClaimPolicy{.issuer = "https://as.example", .audiences = {"api"}};
}

json base_claims() {
  return {{"iss", "https://as.example"}, {"aud", "api"}, {"exp", T + 60}, {"iat", T}};
}

struct Case {
  const char* name;
  json claims_patch;  // merged into base_claims(); null members are removed
  long long now;      // seconds
  long long leeway;   // seconds
  Status expected;
};

class ClaimCases : public testing::TestWithParam<Case> {};

TEST_P(ClaimCases, Validate) {
  const Case& c = GetParam();
  json claims = base_claims();
  claims.merge_patch(c.claims_patch);
  ClaimPolicy policy = base_policy();
  policy.leeway = seconds(c.leeway);
  EXPECT_EQ(validate_claims(token(claims), policy, at(c.now)), c.expected)
      << c.name << " got " << to_string(validate_claims(token(claims), policy, at(c.now)));
}

const Case kCases[] = {
    {"valid", json::object(), T, 0, Status::Ok},
    // exp, RFC 7519 §4.1.4: "on or after" the expiration time the token MUST NOT be accepted.
    {"exp one second ahead", {{"exp", T + 1}}, T, 0, Status::Ok},
    {"exp exactly now", {{"exp", T}}, T, 0, Status::JwtExpired},
    {"exp one second ago", {{"exp", T - 1}}, T, 0, Status::JwtExpired},
    {"exp within leeway", {{"exp", T - 59}}, T, 60, Status::Ok},
    {"exp at leeway edge", {{"exp", T - 60}}, T, 60, Status::JwtExpired},
    {"exp beyond leeway", {{"exp", T - 61}}, T, 60, Status::JwtExpired},
    {"exp fractional ahead", {{"exp", T + 0.5}}, T, 0, Status::Ok},
    {"exp fractional behind", {{"exp", T - 0.5}}, T, 0, Status::JwtExpired},
    {"exp as string", {{"exp", "1000060"}}, T, 0, Status::JwtClaimBadType},
    {"exp as bool", {{"exp", true}}, T, 0, Status::JwtClaimBadType},
    {"exp missing (required by default)", {{"exp", nullptr}}, T, 0, Status::JwtMissingClaim},
    // nbf, RFC 7519 §4.1.5: not accepted before.
    {"nbf now", {{"nbf", T}}, T, 0, Status::Ok},
    {"nbf one second ahead", {{"nbf", T + 1}}, T, 0, Status::JwtNotYetValid},
    {"nbf within leeway", {{"nbf", T + 60}}, T, 60, Status::Ok},
    {"nbf beyond leeway", {{"nbf", T + 61}}, T, 60, Status::JwtNotYetValid},
    {"nbf as string", {{"nbf", "soon"}}, T, 0, Status::JwtClaimBadType},
    // iat: not in the future beyond the leeway.
    {"iat now", {{"iat", T}}, T, 0, Status::Ok},
    {"iat one second ahead", {{"iat", T + 1}}, T, 0, Status::JwtIatInFuture},
    {"iat within leeway", {{"iat", T + 60}}, T, 60, Status::Ok},
    {"iat beyond leeway", {{"iat", T + 61}}, T, 60, Status::JwtIatInFuture},
    {"iat long ago", {{"iat", 0}}, T, 0, Status::Ok},
    {"iat as array", {{"iat", {T}}}, T, 0, Status::JwtClaimBadType},
    // iss, RFC 7519 §4.1.1: exact, case-sensitive.
    {"iss mismatch", {{"iss", "https://evil.example"}}, T, 0, Status::JwtIssuerMismatch},
    {"iss differs in case", {{"iss", "https://AS.example"}}, T, 0, Status::JwtIssuerMismatch},
    {"iss trailing slash", {{"iss", "https://as.example/"}}, T, 0, Status::JwtIssuerMismatch},
    {"iss missing", {{"iss", nullptr}}, T, 0, Status::JwtMissingClaim},
    {"iss not a string", {{"iss", 1}}, T, 0, Status::JwtClaimBadType},
    // aud, RFC 7519 §4.1.3: a string or an array; one of ours must be in it.
    {"aud other string", {{"aud", "other"}}, T, 0, Status::JwtAudienceMismatch},
    {"aud array containing ours", {{"aud", {"other", "api"}}}, T, 0, Status::Ok},
    {"aud array of one", {{"aud", {"api"}}}, T, 0, Status::Ok},
    {"aud array without ours", {{"aud", {"a", "b"}}}, T, 0, Status::JwtAudienceMismatch},
    {"aud empty array", {{"aud", json::array()}}, T, 0, Status::JwtAudienceMismatch},
    {"aud array with a number", {{"aud", {"api", 1}}}, T, 0, Status::JwtClaimBadType},
    {"aud object", {{"aud", {{"api", true}}}}, T, 0, Status::JwtClaimBadType},
    {"aud missing", {{"aud", nullptr}}, T, 0, Status::JwtAudienceMismatch},
    {"aud case differs", {{"aud", "API"}}, T, 0, Status::JwtAudienceMismatch},
    // Order: iss before time before aud.
    {"bad iss and expired", {{"iss", "x"}, {"exp", T - 1}}, T, 0, Status::JwtIssuerMismatch},
    {"expired and bad aud", {{"exp", T - 1}, {"aud", "x"}}, T, 0, Status::JwtExpired},
};

INSTANTIATE_TEST_SUITE_P(Rfc7519, ClaimCases, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(Claims, SubSecondClockAtTheExpiryInstant) {
  // 999 ms before exp the token is still good; at exp it is not.
  const Jwt jwt = token(base_claims());
  EXPECT_EQ(validate_claims(jwt, base_policy(), at(T + 60) - milliseconds(1)), Status::Ok);
  EXPECT_EQ(validate_claims(jwt, base_policy(), at(T + 60)), Status::JwtExpired);
}

TEST(Claims, AnyConfiguredAudienceMatches) {
  ClaimPolicy policy = base_policy();
  policy.audiences = {"first", "second"};
  json claims = base_claims();
  claims["aud"] = "second";
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
  claims["aud"] = {"zero", "first"};
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
}

TEST(Claims, Rfc7519_4_1_3_NoAudienceConfiguredRejectsTokensThatHaveOne) {
  ClaimPolicy policy = base_policy();
  policy.audiences.clear();
  EXPECT_EQ(validate_claims(token(base_claims()), policy, at(T)), Status::JwtAudienceMismatch);
  json claims = base_claims();
  claims.erase("aud");
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
}

TEST(Claims, AnyAudienceAcceptsEveryAudButStillTypesIt) {
  ClaimPolicy policy = base_policy();
  policy.audiences = {"someone-else"};
  policy.any_audience = true;
  json claims = base_claims();
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
  claims["aud"] = json::array({"x", "y"});
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
  claims.erase("aud");
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
  claims["aud"] = 7;
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::JwtClaimBadType);
  claims["aud"] = json::array({"x", 7});
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::JwtClaimBadType);
  policy.any_audience = false;
  claims["aud"] = "x";
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::JwtAudienceMismatch);
}

TEST(Claims, EmptyIssuerPolicyFailsClosed) {
  ClaimPolicy policy = base_policy();
  policy.issuer.clear();
  EXPECT_EQ(validate_claims(token(base_claims()), policy, at(T)), Status::JwtIssuerMismatch);
  json claims = base_claims();
  claims["iss"] = "";
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::JwtIssuerMismatch);
}

TEST(Claims, Rfc9068_4_Typ) {
  ClaimPolicy policy = base_policy();
  policy.typ = "at+jwt";
  auto check = [&](const json& header) {
    return validate_claims(token(base_claims(), header), policy, at(T));
  };
  EXPECT_EQ(check({{"typ", "at+jwt"}}), Status::Ok);
  EXPECT_EQ(check({{"typ", "application/at+jwt"}}), Status::Ok);
  EXPECT_EQ(check({{"typ", "AT+JWT"}}), Status::Ok);
  EXPECT_EQ(check({{"typ", "Application/At+Jwt"}}), Status::Ok);
  EXPECT_EQ(check({{"typ", "JWT"}}), Status::JwtTypMismatch);
  EXPECT_EQ(check({{"typ", "at+jwt "}}), Status::JwtTypMismatch);
  EXPECT_EQ(check({{"typ", "application/"}}), Status::JwtTypMismatch);
  EXPECT_EQ(check({{"typ", "text/at+jwt"}}), Status::JwtTypMismatch);
  EXPECT_EQ(check(json::object()), Status::JwtTypMismatch);  // absent
  policy.typ = "application/at+jwt";
  EXPECT_EQ(check({{"typ", "at+jwt"}}), Status::Ok);
  policy.typ.reset();
  EXPECT_EQ(check({{"typ", "anything"}}), Status::Ok);
}

TEST(Claims, RequiredClaims) {
  ClaimPolicy policy = base_policy();
  policy.required_claims = {"exp", "sub", "jti"};
  json claims = base_claims();
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::JwtMissingClaim);
  claims["sub"] = "alice";
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::JwtMissingClaim);
  claims["jti"] = "j";
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
  // Opting out of exp is explicit.
  policy.required_claims.clear();
  claims.erase("exp");
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
}

TEST(Claims, NegativeLeewayCountsAsZero) {
  ClaimPolicy policy = base_policy();
  policy.leeway = seconds(-30);
  json claims = base_claims();
  claims["exp"] = T + 10;
  EXPECT_EQ(validate_claims(token(claims), policy, at(T)), Status::Ok);
}

}  // namespace
}  // namespace keyward::jose
