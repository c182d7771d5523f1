// RP-Initiated Logout 1.0's request rules (grants/logout.h), with real ID tokens as
// hints: which client the request is for, and whether post_logout_redirect_uri may be
// followed. One row per refusal and per accepted variant.
#include "grants/logout.h"

#include <gtest/gtest.h>

#include <functional>

#include "grants/signing_keys.h"
#include "tests/support/fixed_clients.h"

namespace keyward::grants {
namespace {

using std::chrono::seconds;

constexpr std::string_view kAfter = "https://app.example/signed-out";
const std::string kUser = "0b9c2f52-6ad5-4e86-9c61-1b3f0c7d4a11";

class LogoutRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Client web;
    web.id = "web";
    web.post_logout_redirect_uris = {std::string(kAfter)};
    clients_.add(web);
    Client other;
    other.id = "other";
    clients_.add(other);
  }

  // An ID token for `client_id` from `issuer` (expired ones are hints too).
  std::string id_token(std::string client_id, const IdTokenIssuer& issuer) {
    IdTokenClaims c;
    c.client_id = std::move(client_id);
    c.user.id = kUser;
    c.scope = {"openid"};
    c.auth_time = clock_.now();
    auto token = issuer.issue(c);
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : "";
  }
  std::string hint(std::string client_id = "web") { return id_token(std::move(client_id), ids_); }

  Result<LogoutRequest, LogoutError> check(const RawParams& params) {
    return check_logout_request(params, ids_, clients_);
  }

  jose::PrivateKey key_ = jose::PrivateKey::generate(jose::Alg::ES256);
  StaticSigningKeys keys_{key_, "k1"};
  FixedClock clock_{TimePoint(seconds(1'800'000'000))};
  IdTokenIssuer ids_{keys_, clock_, IdTokenConfig{"https://id.example", seconds(600)}};
  test::FixedClients clients_;
};

TEST_F(LogoutRequestTest, RefusalsAreShownNeverRedirected) {
  // Signed by our key, but for another issuer; signed as ours, but by another key.
  IdTokenIssuer elsewhere{keys_, clock_, IdTokenConfig{"https://other.example", seconds(600)}};
  const jose::PrivateKey stranger_key = jose::PrivateKey::generate(jose::Alg::ES256);
  const StaticSigningKeys stranger_keys{stranger_key, "k1"};
  IdTokenIssuer forger{stranger_keys, clock_, IdTokenConfig{"https://id.example", seconds(600)}};
  const std::string after(kAfter);
  const struct {
    std::string name;
    RawParams params;
    std::string says;
  } rows[] = {
      {"repeated", {{"client_id", "web"}, {"client_id", "web"}}, "A parameter is repeated."},
      {"repeated state",
       {{"state", "a"}, {"client_id", "web"}, {"state", "b"}},
       "A parameter is repeated."},
      {"hint not a JWT", {{"id_token_hint", "not-a-token"}}, "not an ID token Keyward issued"},
      {"hint of another issuer",
       {{"id_token_hint", id_token("web", elsewhere)}},
       "not an ID token Keyward issued"},
      {"hint forged",
       {{"id_token_hint", id_token("web", forger)}},
       "not an ID token Keyward issued"},
      {"hint for another client",
       {{"id_token_hint", hint("other")}, {"client_id", "web"}},
       "client_id does not match the id_token_hint."},
      {"redirect without client",
       {{"post_logout_redirect_uri", after}},
       "post_logout_redirect_uri needs id_token_hint or client_id."},
      {"redirect of an unknown client",
       {{"client_id", "nobody"}, {"post_logout_redirect_uri", after}},
       "post_logout_redirect_uri needs id_token_hint or client_id."},
      {"redirect unregistered",
       {{"client_id", "other"}, {"post_logout_redirect_uri", after}},
       "post_logout_redirect_uri is not registered for this application."},
      {"redirect by prefix",
       {{"client_id", "web"}, {"post_logout_redirect_uri", after + "/x"}},
       "post_logout_redirect_uri is not registered for this application."},
      {"redirect with a slash more",
       {{"id_token_hint", hint()}, {"post_logout_redirect_uri", after + "/"}},
       "post_logout_redirect_uri is not registered for this application."},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    auto r = check(row.params);
    ASSERT_FALSE(r.ok());
    const auto* refusal = std::get_if<LogoutRefusal>(&r.error());
    ASSERT_NE(refusal, nullptr);
    EXPECT_NE(refusal->message.find(row.says), std::string::npos) << refusal->message;
  }
}

TEST_F(LogoutRequestTest, AcceptedVariants) {
  const std::string after(kAfter);
  const struct {
    std::string name;
    RawParams params;
    std::function<void(const LogoutRequest&)> check;
  } rows[] = {
      {"nothing at all",
       {},
       [](const LogoutRequest& r) {
         EXPECT_FALSE(r.client || r.hinted_user || r.post_logout_redirect_uri || r.state);
         EXPECT_TRUE(r.params.empty());
       }},
      {"hint alone names the client and the user",
       {{"id_token_hint", hint()}},
       [](const LogoutRequest& r) {
         ASSERT_TRUE(r.client);
         EXPECT_EQ(r.client->id, "web");
         EXPECT_EQ(r.hinted_user, kUser);
         EXPECT_TRUE(r.hint_names(kUser));
         EXPECT_FALSE(r.hint_names("someone else"));
       }},
      {"hint and the same client_id",
       {{"id_token_hint", hint()}, {"client_id", "web"}},
       [](const LogoutRequest& r) { EXPECT_EQ(r.client->id, "web"); }},
      {"client_id alone names no user",
       {{"client_id", "web"}},
       [](const LogoutRequest& r) {
         EXPECT_EQ(r.client->id, "web");
         EXPECT_FALSE(r.hinted_user);
         EXPECT_FALSE(r.hint_names(kUser));
       }},
      {"unknown client_id without a redirect",
       {{"client_id", "nobody"}},
       [](const LogoutRequest& r) { EXPECT_FALSE(r.client); }},
      {"registered redirect with state",
       {{"client_id", "web"}, {"post_logout_redirect_uri", after}, {"state", "s-1"}},
       [&](const LogoutRequest& r) {
         EXPECT_EQ(r.post_logout_redirect_uri, after);
         EXPECT_EQ(r.redirect_params(), (RawParams{{"state", "s-1"}}));
       }},
      {"registered redirect without state",
       {{"id_token_hint", hint()}, {"post_logout_redirect_uri", after}},
       [](const LogoutRequest& r) { EXPECT_TRUE(r.redirect_params().empty()); }},
      {"empty values and unknown parameters are left out",
       {{"client_id", "web"}, {"state", ""}, {"ui_locales", "de"}, {"state", "s"}},
       [](const LogoutRequest& r) {
         EXPECT_EQ(r.params, (RawParams{{"client_id", "web"}, {"state", "s"}}));
         EXPECT_EQ(r.state, "s");
       }},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    auto r = check(row.params);
    ASSERT_TRUE(r.ok());
    row.check(*r);
  }
}

TEST_F(LogoutRequestTest, AnExpiredHintStillNamesTheClient) {
  const std::string old = hint();
  clock_.advance(seconds(86400));
  auto r = check({{"id_token_hint", old}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->client->id, "web");
}

TEST_F(LogoutRequestTest, AFailedClientLookupIsAnOAuthErrorNotARefusal) {
  clients_.fail_with(storage::StorageErrorCode::Unavailable);
  auto r = check({{"client_id", "web"}});
  ASSERT_FALSE(r.ok());
  const auto* error = std::get_if<OAuthError>(&r.error());
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, ErrorCode::TemporarilyUnavailable);
}

}  // namespace
}  // namespace keyward::grants
