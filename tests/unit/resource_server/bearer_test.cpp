// RFC 6750 §2.1 token extraction and §3 challenges, byte for byte.
#include <gtest/gtest.h>

#include "resource_server/bearer.h"

namespace keyward::test {
namespace {

using rs::bearer_token;

std::optional<std::string> token_of(std::vector<std::string_view> fields, bool in_query = false) {
  auto r = bearer_token(fields, in_query);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return std::string(**r);
}

TEST(BearerToken, Rfc6750_2_1_HeaderForms) {
  EXPECT_EQ(token_of({"Bearer abc.def.ghi"}), "abc.def.ghi");
  EXPECT_EQ(token_of({"bearer abc"}), "abc");  // RFC 9110 §11.1: case-insensitive scheme
  EXPECT_EQ(token_of({"BEARER   abc  "}), "abc");
  EXPECT_EQ(token_of({"Bearer a-b_c~d+e/f=="}), "a-b_c~d+e/f==");
  EXPECT_EQ(token_of({}), std::nullopt);
  // Another scheme: no bearer token was sent.
  EXPECT_EQ(token_of({"Basic dXNlcjpwYXNz"}), std::nullopt);
  EXPECT_EQ(token_of({"Bearerabc"}), std::nullopt);
}

TEST(BearerToken, Rfc6750_3_1_MalformedIsInvalidRequest) {
  struct Row {
    std::vector<std::string_view> fields;
    bool in_query;
    std::string error;
  };
  const std::string not_one_token = "the Authorization header is not \"Bearer\" and one token";
  for (const Row& row : {
           Row{{"Bearer"}, false, not_one_token},
           Row{{"Bearer "}, false, not_one_token},
           Row{{"Bearer a b"}, false, not_one_token},
           Row{{"Bearer a=b"}, false, not_one_token},
           Row{{"Bearer \"abc\""}, false, not_one_token},
           Row{{"Bearer a", "Bearer b"},
               false,
               "the request has more than one Authorization header"},
           Row{{"Bearer abc"}, true, "the access token is sent by more than one method"},
           Row{{}, true, "send the access token in the Authorization header, not in the URL"},
       }) {
    auto r = bearer_token(row.fields, row.in_query);
    ASSERT_FALSE(r.ok()) << (row.fields.empty() ? "" : row.fields[0]);
    EXPECT_EQ(r.error(), row.error);
  }
}

TEST(BearerChallenge, Rfc6750_3_NoTokenHasNoErrorAttribute) {
  const auto e = rs::missing_token("sample");
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.www_authenticate, "Bearer realm=\"sample\"");
  EXPECT_EQ(e.body(),
            (nlohmann::json{{"error_description", "this resource needs a Bearer access token"}}));
}

TEST(BearerChallenge, Rfc6750_3_1_InvalidToken) {
  const auto e = rs::invalid_token("sample", jose::Status::JwtExpired);
  EXPECT_EQ(e.status, 401);
  EXPECT_EQ(e.www_authenticate,
            "Bearer realm=\"sample\", error=\"invalid_token\", "
            "error_description=\"the access token expired\"");
  EXPECT_EQ(e.body(), (nlohmann::json{{"error", "invalid_token"},
                                      {"error_description", "the access token expired"}}));
}

TEST(BearerChallenge, Rfc6750_3_1_InsufficientScopeNamesTheScope) {
  const auto e = rs::insufficient_scope("sample", "api:write");
  EXPECT_EQ(e.status, 403);
  EXPECT_EQ(e.www_authenticate,
            "Bearer realm=\"sample\", error=\"insufficient_scope\", "
            "error_description=\"the access token does not grant the scope api:write\", "
            "scope=\"api:write\"");
}

TEST(BearerChallenge, Rfc6750_3_1_InvalidRequestIs400) {
  const auto e = rs::invalid_request("sample", "bad");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.www_authenticate,
            "Bearer realm=\"sample\", error=\"invalid_request\", error_description=\"bad\"");
}

TEST(BearerChallenge, Rfc6750_3_QuotedValuesDropQuoteBackslashAndControls) {
  const auto e = rs::invalid_request("a\"b\\c\nd", "x\"y");
  EXPECT_EQ(e.www_authenticate,
            "Bearer realm=\"abcd\", error=\"invalid_request\", error_description=\"xy\"");
}

TEST(BearerChallenge, EveryStatusHasAPrintableDescription) {
  for (int s = static_cast<int>(jose::Status::Ok);
       s <= static_cast<int>(jose::Status::KeyUnsupported); ++s) {
    const std::string_view d = rs::describe(static_cast<jose::Status>(s));
    ASSERT_FALSE(d.empty());
    for (char c : d) {
      EXPECT_TRUE(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') << d;
    }
  }
  EXPECT_EQ(rs::describe(jose::Status::JwtTypMismatch),
            "the token is not an access token (typ must be at+jwt)");
  EXPECT_EQ(rs::describe(jose::Status::JwtKidUnknown),
            "the access token is signed by an unknown key");
}

}  // namespace
}  // namespace keyward::test
