#include "grants/password_hash.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

// Small parameters keep the unit tests fast; production defaults are in Argon2Params.
const Argon2Params kFast{1024, 1, 1};

TEST(PasswordHash, EncodesArgon2idWithParameters) {
  const auto h = hash_password("correct horse", kFast);
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0), 0u) << h;
}

TEST(PasswordHash, VerifiesOnlyTheRightPassword) {
  const auto h = hash_password("correct horse", kFast);
  EXPECT_EQ(verify_password(h, "correct horse", kFast), PasswordCheck::Match);
  EXPECT_EQ(verify_password(h, "correct horsf", kFast), PasswordCheck::Mismatch);
  EXPECT_EQ(verify_password(h, "", kFast), PasswordCheck::Mismatch);
}

TEST(PasswordHash, SaltsEveryHash) {
  EXPECT_NE(hash_password("same", kFast), hash_password("same", kFast));
}

TEST(PasswordHash, AsksForRehashWhenParametersGrow) {
  const auto h = hash_password("pw", kFast);
  EXPECT_EQ(verify_password(h, "pw", Argon2Params{2048, 1, 1}), PasswordCheck::MatchNeedsRehash);
  EXPECT_EQ(verify_password(h, "pw", Argon2Params{1024, 2, 1}), PasswordCheck::MatchNeedsRehash);
}

TEST(PasswordHash, GarbageHashIsAMismatch) {
  EXPECT_EQ(verify_password("", "pw", kFast), PasswordCheck::Mismatch);
  EXPECT_EQ(verify_password("$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA", "pw", kFast),
            PasswordCheck::Mismatch);
  EXPECT_EQ(verify_password("plaintext", "plaintext", kFast), PasswordCheck::Mismatch);
}

TEST(PasswordHash, DummyHashNeverMatchesAndIsReused) {
  const auto& a = dummy_password_hash(kFast);
  EXPECT_EQ(&a, &dummy_password_hash(kFast));
  EXPECT_EQ(verify_password(a, "", kFast), PasswordCheck::Mismatch);
}

}  // namespace
}  // namespace keyward::grants
