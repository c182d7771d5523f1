// RFC 7636 PKCE, S256 only.
#include "grants/pkce.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

// RFC 7636 Appendix B.
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, Rfc7636_AppendixB_S256Vector) {
  EXPECT_EQ(pkce_s256_challenge(kVerifier), kChallenge);
  EXPECT_TRUE(pkce_verify(kVerifier, kChallenge));
}

TEST(Pkce, Rfc7636_4_6_WrongVerifierFails) {
  std::string other(kVerifier);
  other[0] = 'e';
  EXPECT_FALSE(pkce_verify(other, kChallenge));
  // `plain` would compare the verifier itself with the challenge: never accepted.
  EXPECT_FALSE(pkce_verify(kChallenge, kChallenge));
}

TEST(Pkce, Rfc7636_4_1_VerifierGrammar) {
  EXPECT_TRUE(is_valid_code_verifier(std::string(43, 'a')));
  EXPECT_TRUE(is_valid_code_verifier(std::string(128, '~')));
  EXPECT_TRUE(is_valid_code_verifier("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-._~"));
  EXPECT_FALSE(is_valid_code_verifier(std::string(42, 'a')));
  EXPECT_FALSE(is_valid_code_verifier(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_code_verifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(is_valid_code_verifier(std::string(42, 'a') + "="));
  EXPECT_FALSE(is_valid_code_verifier(std::string(42, 'a') + " "));
  // A short verifier never verifies, even against its own transform.
  EXPECT_FALSE(pkce_verify("short", pkce_s256_challenge("short")));
}

TEST(Pkce, S256ChallengeShape) {
  EXPECT_TRUE(is_valid_s256_challenge(kChallenge));
  EXPECT_FALSE(is_valid_s256_challenge(kVerifier.substr(0, 42)));
  EXPECT_FALSE(is_valid_s256_challenge(std::string(kChallenge) + "A"));
  EXPECT_FALSE(is_valid_s256_challenge(std::string(42, 'A') + "+"));
  // 43 characters whose last one carries bits past 256: not a SHA-256 digest.
  EXPECT_FALSE(is_valid_s256_challenge(std::string(42, 'A') + "B"));
}

}  // namespace
}  // namespace keyward::grants
