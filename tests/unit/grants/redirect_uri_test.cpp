#include "grants/redirect_uri.h"

#include <gtest/gtest.h>

namespace keyward::grants {
namespace {

TEST(RedirectUri, AcceptsHttpsLoopbackAndPrivateUseSchemes) {
  for (const char* ok : {"https://app.example.com/cb", "https://app.example.com:8443/cb?x=1",
                         "http://localhost:3000/callback", "http://127.0.0.1/cb",
                         "http://[::1]:8080/cb", "com.example.app:/oauth2redirect"}) {
    EXPECT_EQ(redirect_uri_problem(ok), std::nullopt) << ok;
  }
}

TEST(RedirectUri, RefusesWhatRfc9700Forbids) {
  const std::pair<const char*, const char*> rows[] = {
      {"/relative/cb", "absolute"},
      {"https://app.example.com/cb#frag", "fragment"},
      {"https://user:pw@app.example.com/cb", "userinfo"},
      {"javascript:alert(1)", "javascript"},
      {"data:text/html,hi", "data"},
      {"http://app.example.com/cb", "https"},
      {"https:///cb", "host"},
      {"https://app.example.com/c b", "whitespace"},
      {"", "empty"},
  };
  for (const auto& [uri, why] : rows) {
    auto problem = redirect_uri_problem(uri);
    ASSERT_TRUE(problem.has_value()) << uri;
    EXPECT_NE(problem->find(why), std::string::npos) << uri << ": " << *problem;
  }
}

TEST(RedirectUri, MatchesCharacterForCharacter) {
  const std::vector<std::string> reg{"https://app.example.com/cb"};
  EXPECT_TRUE(redirect_uri_registered("https://app.example.com/cb", reg));
  for (const char* bad : {"https://app.example.com/cb/", "https://app.example.com/cb?x=1",
                          "https://APP.example.com/cb", "https://app.example.com:443/cb",
                          "https://app.example.com/cb/../cb", "https://app.example.com/c",
                          "https://app.example.com/cbx"}) {
    EXPECT_FALSE(redirect_uri_registered(bad, reg)) << bad;
  }
}

}  // namespace
}  // namespace keyward::grants
