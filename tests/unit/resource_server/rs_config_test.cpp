// KEYWARD_RS_* configuration: defaults, validation messages, and docs that list every setting.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "resource_server/sample/rs_config.h"

namespace keyward::test {
namespace {

using namespace std::chrono_literals;

rs::RsEnv env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

TEST(RsConfig, Defaults) {
  auto c = rs::load_rs_config(env_of({{"KEYWARD_RS_DATABASE_URL", "dbname=x"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->listen.to_string(), "127.0.0.1:8082");
  EXPECT_EQ(c->verifier.issuer, "http://localhost:8080");
  EXPECT_EQ(c->jwks.issuer, "http://localhost:8080");
  EXPECT_EQ(c->verifier.audiences, std::vector<std::string>{"keyward-sample-rs"});
  EXPECT_EQ(c->verifier.algorithms,
            (std::vector<jose::Alg>{jose::Alg::RS256, jose::Alg::ES256, jose::Alg::EdDSA}));
  EXPECT_EQ(c->verifier.leeway, 30s);
  EXPECT_EQ(c->verifier.token_cache_size, 10000u);
  EXPECT_EQ(c->jwks.min_ttl, 30s);
  EXPECT_EQ(c->jwks.max_ttl, 3600s);
  EXPECT_EQ(c->jwks.refetch_interval, 30s);
  EXPECT_EQ(c->jwks.stale_if_error, 3600s);
  EXPECT_EQ(c->realm, "keyward-sample-rs");
  EXPECT_TRUE(c->metrics_allow.allows("127.0.0.1"));
  EXPECT_TRUE(c->metrics_allow.allows("::1"));
  EXPECT_FALSE(c->metrics_allow.allows("192.0.2.1"));
  EXPECT_TRUE(c->warnings.empty());
}

TEST(RsConfig, MetricsAllow) {
  auto c = rs::load_rs_config(env_of(
      {{"KEYWARD_RS_DATABASE_URL", "dbname=x"}, {"KEYWARD_RS_METRICS_ALLOW", "172.30.57.20/32"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->metrics_allow.allows("172.30.57.20"));
  EXPECT_FALSE(c->metrics_allow.allows("127.0.0.1"));
  auto bad = rs::load_rs_config(env_of(
      {{"KEYWARD_RS_DATABASE_URL", "dbname=x"}, {"KEYWARD_RS_METRICS_ALLOW", "host.example"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), std::vector<std::string>{"KEYWARD_RS_METRICS_ALLOW: 'host.example' is "
                                                  "not an IP address or CIDR block"});
}

TEST(RsConfig, EveryProblemIsReported) {
  auto c = rs::load_rs_config(env_of({{"KEYWARD_RS_LISTEN", "localhost:80"},
                                      {"KEYWARD_RS_ISSUER", "ftp://x"},
                                      {"KEYWARD_RS_ALGORITHMS", "RS256,HS256,none"},
                                      {"KEYWARD_RS_LEEWAY", "301"},
                                      {"KEYWARD_RS_JWKS_MIN_TTL", "100"},
                                      {"KEYWARD_RS_JWKS_MAX_TTL", "50"}}));
  ASSERT_FALSE(c.ok());
  const std::vector<std::string> expected = {
      "KEYWARD_RS_LISTEN must be host:port or [v6]:port with an IP host, not 'localhost:80'",
      "KEYWARD_RS_ISSUER must be an http(s) URL, not 'ftp://x'",
      "KEYWARD_RS_JWKS_MIN_TTL must not exceed KEYWARD_RS_JWKS_MAX_TTL",
      "KEYWARD_RS_ALGORITHMS: 'HS256' is not one of RS256, ES256, EdDSA (none and HS* are never "
      "accepted)",
      "KEYWARD_RS_ALGORITHMS: 'none' is not one of RS256, ES256, EdDSA (none and HS* are never "
      "accepted)",
      "KEYWARD_RS_LEEWAY must be an integer from 0 to 300, not '301'",
      "KEYWARD_RS_DATABASE_URL is required (a libpq conninfo or postgresql:// URL)",
  };
  EXPECT_EQ(c.error(), expected);
}

TEST(RsConfig, NonLoopbackListenWarns) {
  auto c = rs::load_rs_config(
      env_of({{"KEYWARD_RS_DATABASE_URL", "dbname=x"}, {"KEYWARD_RS_LISTEN", "0.0.0.0:8082"}}));
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("not loopback"), std::string::npos);
  auto v6 = rs::load_rs_config(
      env_of({{"KEYWARD_RS_DATABASE_URL", "dbname=x"}, {"KEYWARD_RS_LISTEN", "[::1]:0"}}));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->listen.to_string(), "[::1]:0");
  EXPECT_TRUE(v6->warnings.empty());
}

TEST(RsConfig, DocsListEverySetting) {
  std::ifstream in(std::string(KEYWARD_SOURCE_DIR) + "/docs/endpoints.md");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& s : rs::kRsSettings) {
    EXPECT_NE(text.str().find("`" + std::string(s.name) + "`"), std::string::npos)
        << s.name << " is missing from docs/endpoints.md";
  }
}

}  // namespace
}  // namespace keyward::test
