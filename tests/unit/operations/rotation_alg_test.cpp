// What `keyward keys rotate --alg` and POST /admin/v1/keys/rotate accept: the three
// algorithms Keyward signs with, exactly as JWA spells them, and nothing else.
#include <gtest/gtest.h>

#include "operations/key_operations.h"

namespace keyward::operations {
namespace {

TEST(RotationAlg, TakesRs256Es256AndEdDsa) {
  EXPECT_EQ(rotation_alg("RS256").value(), jose::Alg::RS256);
  EXPECT_EQ(rotation_alg("ES256").value(), jose::Alg::ES256);
  EXPECT_EQ(rotation_alg("EdDSA").value(), jose::Alg::EdDSA);
}

TEST(RotationAlg, RefusesEverythingElseNamingTheChoices) {
  // none and HS* never; PS256 and RFC 9864's Ed25519 are not offered; names are exact.
  for (const char* name :
       {"none", "HS256", "PS256", "Ed25519", "Ed448", "eddsa", "EDDSA", "es256", "RS256 ", ""}) {
    const auto r = rotation_alg(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().kind, OperationErrorKind::Invalid) << name;
    EXPECT_EQ(r.error().field, "alg");
    EXPECT_EQ(r.error().message,
              "--alg must be RS256, ES256 or EdDSA (got '" + std::string(name) + "')");
  }
}

}  // namespace
}  // namespace keyward::operations
