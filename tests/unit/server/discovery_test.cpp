// Discovery lists what grants/ defines (server/endpoints/discovery.h): every scope Keyward
// gives a meaning to and every claim its ID tokens and UserInfo answers carry, and nothing
// it does not know (OIDC Discovery §3 scopes_supported, claims_supported).
#include <gtest/gtest.h>

#include <set>

#include "grants/id_token.h"
#include "grants/scope.h"
#include "jose/jwt.h"
#include "server/endpoints/discovery.h"
#include "tests/unit/grants/alice.h"

namespace keyward::server {
namespace {

using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1'750'000'000));
constexpr std::string_view kIssuer = "https://issuer.example";

std::set<std::string> advertised(std::string_view member) {
  DiscoveryMetadata metadata;
  metadata.issuer = std::string(kIssuer);
  const auto doc = discovery_document(metadata, {});
  return doc.at(std::string(member)).get<std::set<std::string>>();
}

std::set<std::string> names_of(const nlohmann::json& object) {
  std::set<std::string> names;
  for (const auto& [name, value] : object.items()) names.insert(name);
  return names;
}

TEST(Discovery, ScopesSupportedAreExactlyTheScopesKeywardKnows) {
  const std::set<std::string> known(grants::kKnownScopes.begin(), grants::kKnownScopes.end());
  EXPECT_EQ(advertised("scopes_supported"), known);
  EXPECT_EQ(known.count("openid"), 1u);
  EXPECT_EQ(known.count("offline_access"), 1u);
  // Each scope that releases user claims is advertised, and each advertised one that is
  // not openid or offline_access releases some (OIDC Core §5.4).
  const auto base = grants::user_claims(grants::test::alice(), {"openid"});
  for (const auto& scope : known) {
    const bool releases =
        grants::user_claims(grants::test::alice(), {"openid", scope}).size() > base.size();
    EXPECT_EQ(releases, scope != "openid" && scope != "offline_access") << scope;
  }
}

TEST(Discovery, ClaimsSupportedAreExactlyWhatIdTokensAndUserinfoCarry) {
  const grants::StaticSigningKeys keys(jose::PrivateKey::generate(jose::Alg::ES256));
  const FixedClock clock(kNow);
  const grants::IdTokenIssuer issuer(keys, clock, {std::string(kIssuer), seconds(600)});
  const grants::ScopeSet every_scope(grants::kKnownScopes.begin(), grants::kKnownScopes.end());
  // Everything an ID token can carry: every scope, a nonce, an access token for at_hash,
  // how the user signed in.
  const auto id_token =
      issuer.issue({"client", grants::test::alice(), every_scope, kNow, "n-1", "at", "fed"});
  ASSERT_TRUE(id_token.ok());
  auto jwt = jose::Jwt::parse(*id_token);
  ASSERT_TRUE(jwt.ok());
  std::set<std::string> carried = names_of(jwt->claims());
  const auto userinfo = names_of(grants::user_claims(grants::test::alice(), every_scope));
  carried.insert(userinfo.begin(), userinfo.end());
  EXPECT_EQ(advertised("claims_supported"), carried);
}

}  // namespace
}  // namespace keyward::server
