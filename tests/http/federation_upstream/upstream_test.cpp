// federation::Upstream, made by the StoredProviderRegistry from a provider row in a real
// PostgreSQL, against a real OpenID provider on loopback (UpstreamProvider) over real HTTP:
// the code flow with PKCE returns who signed in; every forged ID token, a missing or wrong
// RFC 9207 iss, the upstream's refusals and its absence each end in their own error.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "common/base64url.h"
#include "common/crypto.h"
#include "federation/curl_poster.h"
#include "federation/provider_secret.h"
#include "federation/stored_provider_registry.h"
#include "http/form.h"
#include "storage/identity_provider_repository.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/upstream_provider.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using federation::UpstreamError;
using Kind = federation::UpstreamError::Kind;
using Forgery = UpstreamProvider::Forgery;
using namespace std::chrono_literals;

const std::string kMasterKey(32, '\x2a');
const std::string kKeywardIssuer = "http://127.0.0.1:1";  // never contacted
const std::string kRedirectUri = kKeywardIssuer + "/federation/callback";
const std::string kClientId = "keyward-client";
// Characters RFC 6749 §2.3.1 makes us form-urlencode before base64 (':' above all).
const std::string kClientSecret = "s3cr:t+/=%&é";

// The system clock plus an offset the test moves (the registry's reload interval).
class MovableClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override {
    return std::chrono::system_clock::now() + offset_.load();
  }
  void advance(std::chrono::seconds s) { offset_ = offset_.load() + s; }

 private:
  std::atomic<std::chrono::system_clock::duration> offset_{};
};

class UpstreamFlow : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    upstream_.register_client(kClientId, kClientSecret, kRedirectUri);
    add_provider("upstream", upstream_.issuer(), kClientSecret);
    devnull_ = std::fopen("/dev/null", "w");
    logger_ = std::make_unique<Logger>(LogLevel::Debug, devnull_);
    federation::ProviderRegistryOptions options;
    options.keyward_issuer = kKeywardIssuer;
    registry_ = std::make_unique<federation::StoredProviderRegistry>(
        database(), kMasterKey, std::make_shared<rs::CurlFetcher>(),
        std::make_shared<federation::CurlPoster>(), clock_, *logger_, options);
  }
  void TearDown() override {
    registry_.reset();
    logger_.reset();
    if (devnull_) std::fclose(devnull_);
    StorageTest::TearDown();
  }

  void add_provider(const std::string& name, const std::string& issuer, const std::string& secret,
                    const std::string& master_key = kMasterKey) {
    storage::IdentityProviderRecord record;
    record.name = name;
    record.issuer = issuer;
    record.client_id = kClientId;
    record.client_secret_sealed =
        federation::seal_provider_secret(federation::provider_secret_key(master_key), name, secret);
    record.scopes = {"openid", "email", "profile"};
    record.button_label = "Upstream " + name;
    storage::IdentityProviderRepository repository(database());
    ASSERT_EQ(repository.insert(record).value(),
              storage::IdentityProviderRepository::InsertOutcome::Inserted);
  }

  std::shared_ptr<federation::Upstream> provider() {
    auto found = registry_->find("upstream");
    EXPECT_TRUE(found);
    return found;
  }

  // What the browser does: GET the authorization URL, and read the redirect back to us.
  federation::CallbackParams follow(const std::string& url) {
    const std::string prefix = upstream_.issuer();
    EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
    const Response r = get(upstream_.port(), url.substr(prefix.size()));
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string location = r.header("Location").value_or("");
    EXPECT_EQ(location.rfind(kRedirectUri + "?", 0), 0u) << location;
    auto query = http::parse_form_urlencoded(location.substr(location.find('?') + 1));
    EXPECT_TRUE(query.ok());
    federation::CallbackParams callback;
    const auto take = [&](const char* name) -> std::optional<std::string> {
      if (auto v = query->get(name)) return std::string(*v);
      return std::nullopt;
    };
    callback.code = take("code");
    callback.state = take("state");
    callback.iss = take("iss");
    callback.error = take("error");
    callback.error_description = take("error_description");
    return callback;
  }

  // One whole sign-in: start, the upstream's redirect, finish.
  Result<federation::UpstreamIdentity, UpstreamError> sign_in() {
    auto upstream = provider();
    if (!upstream) return err(UpstreamError{Kind::InvalidResponse, "no provider"});
    const auto secrets = federation::FlowSecrets::generate();
    auto url = upstream->authorization_url(secrets, {});
    if (!url.ok()) return err(url.error());
    const auto callback = follow(*url);
    EXPECT_EQ(callback.state, secrets.state);
    return upstream->finish(callback, secrets, {});
  }

  void expect_error(const Result<federation::UpstreamIdentity, UpstreamError>& r, Kind kind,
                    const std::string& detail_mentions = "") {
    ASSERT_FALSE(r.ok()) << "signed in as " << r->subject;
    EXPECT_EQ(r.error().kind, kind) << r.error().log_detail;
    EXPECT_NE(r.error().log_detail.find(detail_mentions), std::string::npos)
        << r.error().log_detail;
    EXPECT_EQ(r.error().log_detail.find(kClientSecret), std::string::npos);
  }

  UpstreamProvider upstream_;
  MovableClock clock_;
  std::FILE* devnull_ = nullptr;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<federation::StoredProviderRegistry> registry_;
};

TEST_F(UpstreamFlow, CodeFlowWithPkceReturnsWhoSignedIn) {
  auto upstream = provider();
  ASSERT_TRUE(upstream);
  EXPECT_EQ(upstream->settings().issuer, upstream_.issuer());
  EXPECT_EQ(upstream->settings().client_secret, kClientSecret);  // opened from storage
  const auto secrets = federation::FlowSecrets::generate();
  EXPECT_EQ(secrets.code_verifier.size(), 43u);
  EXPECT_NE(secrets.state, secrets.nonce);
  auto url = upstream->authorization_url(secrets, {});
  ASSERT_TRUE(url.ok()) << url.error().log_detail;
  const auto callback = follow(*url);

  // What Keyward asked the upstream for (OIDC Core §3.1.2.1, RFC 7636 §4.3).
  auto asked = upstream_.last_authorize_query();
  EXPECT_EQ(asked["response_type"], "code");
  EXPECT_EQ(asked["client_id"], kClientId);
  EXPECT_EQ(asked["redirect_uri"], kRedirectUri);
  EXPECT_EQ(asked["scope"], "openid email profile");
  EXPECT_EQ(asked["state"], secrets.state);
  EXPECT_EQ(asked["nonce"], secrets.nonce);
  EXPECT_EQ(asked["code_challenge"], base64url_encode(sha256(secrets.code_verifier)));
  EXPECT_EQ(asked["code_challenge_method"], "S256");
  EXPECT_EQ(asked.count("code_verifier"), 0u);

  EXPECT_EQ(callback.iss, upstream_.issuer());
  auto identity = upstream->finish(callback, secrets, {});
  ASSERT_TRUE(identity.ok()) << identity.error().log_detail;
  EXPECT_EQ(identity->provider, "upstream");
  EXPECT_EQ(identity->subject, "upstream-user-1");
  EXPECT_EQ(identity->email, "alice@example.com");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->given_name, "Alice");
  EXPECT_EQ(identity->family_name, "Liddell");
  // The e-mail was in the ID token: userinfo is not asked.
  EXPECT_EQ(upstream_.userinfo_requests(), 0);
  EXPECT_EQ(upstream_.last_refusal(), "");
}

TEST_F(UpstreamFlow, PromptLoginAndMaxAgeGoUpstreamAndItsAuthTimeIsChecked) {
  auto upstream = provider();
  ASSERT_TRUE(upstream);
  const auto run = [&](const federation::Freshness& freshness) {
    const auto secrets = federation::FlowSecrets::generate();
    const auto callback = follow(upstream->authorization_url(secrets, freshness).value());
    return upstream->finish(callback, secrets, freshness);
  };
  const federation::Freshness fresh_login{true, 300s, clock_.now()};
  auto fresh = run(fresh_login);
  ASSERT_TRUE(fresh.ok()) << fresh.error().log_detail;
  auto asked = upstream_.last_authorize_query();
  EXPECT_EQ(asked["prompt"], "login");
  EXPECT_EQ(asked["max_age"], "300");
  ASSERT_TRUE(fresh->auth_time);
  EXPECT_LE(std::chrono::abs(*fresh->auth_time - clock_.now()), 5s);

  // Nothing asked: neither parameter goes upstream.
  ASSERT_TRUE(run({}).ok());
  asked = upstream_.last_authorize_query();
  EXPECT_EQ(asked.count("prompt"), 0u);
  EXPECT_EQ(asked.count("max_age"), 0u);

  // The upstream kept an old sign-in: too old for max_age, and no new login.
  auto user = UpstreamProvider::User{};
  user.authenticated_ago = 3600s;
  upstream_.set_user(user);
  expect_error(run({false, 300s, clock_.now()}), Kind::NotFresh, "older than max_age");
  expect_error(run({true, std::nullopt, clock_.now()}), Kind::NotFresh, "prompt=login");
  ASSERT_TRUE(run({}).ok()) << "without prompt or max_age any auth_time does";

  // OIDC Core §3.1.2.1: with max_age the ID token must say when.
  user.authenticated_ago = std::nullopt;
  upstream_.set_user(user);
  expect_error(run({false, 300s, clock_.now()}), Kind::NotFresh, "no auth_time");
  auto unsaid = run({true, std::nullopt, clock_.now()});
  ASSERT_TRUE(unsaid.ok()) << "prompt=login alone trusts an upstream that does not say";
  EXPECT_FALSE(unsaid->auth_time);
}

TEST_F(UpstreamFlow, TheCodeIsRedeemedOnlyOnce) {
  auto upstream = provider();
  const auto secrets = federation::FlowSecrets::generate();
  const auto callback = follow(upstream->authorization_url(secrets, {}).value());
  ASSERT_TRUE(upstream->finish(callback, secrets, {}).ok());
  expect_error(upstream->finish(callback, secrets, {}), Kind::Refused, "invalid_grant");
}

TEST_F(UpstreamFlow, ThePkceVerifierIsCheckedByTheUpstream) {
  auto upstream = provider();
  const auto secrets = federation::FlowSecrets::generate();
  const auto callback = follow(upstream->authorization_url(secrets, {}).value());
  auto other = secrets;
  other.code_verifier = federation::FlowSecrets::generate().code_verifier;
  expect_error(upstream->finish(callback, other, {}), Kind::Refused, "invalid_grant");
  EXPECT_EQ(upstream_.last_refusal(), "code_verifier does not match the code_challenge");
}

class ForgedIdToken : public UpstreamFlow, public ::testing::WithParamInterface<Forgery> {};

TEST_P(ForgedIdToken, IsRefused) {
  upstream_.set_forgery(GetParam());
  expect_error(sign_in(), Kind::InvalidIdToken, "ID token refused");
  // The same upstream, honest again: the next sign-in works, so the refusal was the token's.
  upstream_.set_forgery(Forgery::None);
  auto honest = sign_in();
  EXPECT_TRUE(honest.ok()) << honest.error().log_detail;
}

const std::vector<std::pair<Forgery, std::string>> kForgeries = {
    {Forgery::ForeignKey, "ForeignKey"},
    {Forgery::UnknownKid, "UnknownKid"},
    {Forgery::WrongIssuer, "WrongIssuer"},
    {Forgery::WrongAudience, "WrongAudience"},
    {Forgery::AzpMismatch, "AzpMismatch"},
    {Forgery::SeveralAudiencesWithoutAzp, "SeveralAudiencesWithoutAzp"},
    {Forgery::WrongNonce, "WrongNonce"},
    {Forgery::NoNonce, "NoNonce"},
    {Forgery::Expired, "Expired"},
    {Forgery::IatInFuture, "IatInFuture"},
    {Forgery::AlgNone, "AlgNone"},
    {Forgery::Hs256, "Hs256"},
    {Forgery::NoSub, "NoSub"}};

std::vector<Forgery> every_forgery() {
  std::vector<Forgery> all;
  for (const auto& [forgery, name] : kForgeries) all.push_back(forgery);
  return all;
}

// Readable test names: EveryForgery/ForgedIdToken.IsRefused/WrongNonce.
std::string forgery_name(const ::testing::TestParamInfo<Forgery>& info) {
  for (const auto& [forgery, name] : kForgeries) {
    if (forgery == info.param) return name;
  }
  return "Forgery" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(EveryForgery, ForgedIdToken, ::testing::ValuesIn(every_forgery()),
                         forgery_name);

TEST_F(UpstreamFlow, ForgeriesAreRefusedForTheReasonTheyAreForged) {
  const std::vector<std::pair<Forgery, std::string>> cases = {
      {Forgery::ForeignKey, "signature is invalid"},
      {Forgery::UnknownKid, "kid is not in the JWKS"},
      {Forgery::WrongNonce, "nonce is not the one sent"},
      {Forgery::AzpMismatch, "azp is not our client_id"},
      {Forgery::AlgNone, "alg is not allowed"}};
  for (const auto& [forgery, reason] : cases) {
    upstream_.set_forgery(forgery);
    expect_error(sign_in(), Kind::InvalidIdToken, reason);
  }
}

TEST_F(UpstreamFlow, Rfc9207IssMustBePresentWhenAdvertisedAndRight) {
  upstream_.set_iss_param(UpstreamProvider::IssParam::Omitted);
  expect_error(sign_in(), Kind::InvalidResponse, "no iss");
  upstream_.set_iss_param(UpstreamProvider::IssParam::Wrong);
  expect_error(sign_in(), Kind::InvalidResponse, "iss names another issuer");
  EXPECT_EQ(upstream_.token_requests(), 0);  // refused before the code was ever redeemed
  upstream_.set_iss_param(UpstreamProvider::IssParam::Correct);
  EXPECT_TRUE(sign_in().ok());
}

TEST_F(UpstreamFlow, IssMayBeAbsentWhenNotAdvertised) {
  upstream_.set_advertise_iss(false);
  upstream_.set_iss_param(UpstreamProvider::IssParam::Omitted);
  auto identity = sign_in();
  EXPECT_TRUE(identity.ok()) << identity.error().log_detail;
  // Present, it is still checked.
  upstream_.set_iss_param(UpstreamProvider::IssParam::Wrong);
  expect_error(sign_in(), Kind::InvalidResponse, "iss names another issuer");
}

TEST_F(UpstreamFlow, TheUserSayingNoIsCancelledAnyOtherErrorRefused) {
  upstream_.set_authorize_error("access_denied");
  expect_error(sign_in(), Kind::Cancelled, "access_denied");
  upstream_.set_authorize_error("temporarily_unavailable");
  expect_error(sign_in(), Kind::Refused, "temporarily_unavailable");
  EXPECT_EQ(upstream_.token_requests(), 0);
}

TEST_F(UpstreamFlow, TokenEndpointRefusalsAndFailures) {
  upstream_.set_token_failure(400, "invalid_grant");
  expect_error(sign_in(), Kind::Refused, "HTTP 400 error=invalid_grant");
  upstream_.set_token_failure(401, "invalid_client");
  expect_error(sign_in(), Kind::Refused, "error=invalid_client");
  upstream_.set_token_failure(503, "temporarily_unavailable");
  expect_error(sign_in(), Kind::Unreachable, "HTTP 503");
}

TEST_F(UpstreamFlow, AWrongClientSecretIsRefusedByTheUpstream) {
  upstream_.register_client(kClientId, "the-real-secret", kRedirectUri);
  expect_error(sign_in(), Kind::Refused, "invalid_client");
  EXPECT_EQ(upstream_.last_refusal(), "wrong client credentials");
}

TEST_F(UpstreamFlow, ClientSecretPostWhenThatIsAllTheUpstreamTakes) {
  upstream_.set_client_auth("client_secret_post");
  auto identity = sign_in();
  EXPECT_TRUE(identity.ok()) << identity.error().log_detail << " " << upstream_.last_refusal();
}

TEST_F(UpstreamFlow, AnUnreachableUpstreamIsUnreachable) {
  upstream_.stop();
  auto upstream = provider();
  auto url = upstream->authorization_url(federation::FlowSecrets::generate(), {});
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().kind, Kind::Unreachable) << url.error().log_detail;
}

TEST_F(UpstreamFlow, ATokenEndpointGoneMidFlowIsUnreachable) {
  auto upstream = provider();
  const auto secrets = federation::FlowSecrets::generate();
  const auto callback = follow(upstream->authorization_url(secrets, {}).value());
  upstream_.stop();
  auto identity = upstream->finish(callback, secrets, {});
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.error().kind, Kind::Unreachable) << identity.error().log_detail;
}

TEST_F(UpstreamFlow, AnUpstreamKeyRotationIsFollowedThroughOneJwksRefetch) {
  ASSERT_TRUE(sign_in().ok());
  EXPECT_EQ(upstream_.jwks_requests(), 1);
  ASSERT_TRUE(sign_in().ok());
  EXPECT_EQ(upstream_.jwks_requests(), 1);  // cached
  upstream_.rotate_key();
  auto after = sign_in();
  ASSERT_TRUE(after.ok()) << after.error().log_detail;
  EXPECT_EQ(upstream_.jwks_requests(), 2);
  EXPECT_EQ(upstream_.discovery_requests(), 1);
}

TEST_F(UpstreamFlow, TheEmailComesFromUserinfoWhenTheIdTokenHasNone) {
  UpstreamProvider::User user;
  user.email = "bob@example.com";
  user.email_in_id_token = false;
  upstream_.set_user(user);
  auto identity = sign_in();
  ASSERT_TRUE(identity.ok()) << identity.error().log_detail;
  EXPECT_EQ(identity->email, "bob@example.com");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(upstream_.userinfo_requests(), 1);
  // OIDC Core §5.3.2: userinfo about somebody else is not used.
  upstream_.set_userinfo_sub("somebody-else");
  expect_error(sign_in(), Kind::InvalidResponse, "userinfo's sub");
}

TEST_F(UpstreamFlow, TheRegistryShowsStoredProvidersAndFollowsChanges) {
  auto buttons = registry_->buttons();
  ASSERT_EQ(buttons.size(), 1u);
  EXPECT_EQ(buttons[0].name, "upstream");
  EXPECT_EQ(buttons[0].label, "Upstream upstream");
  EXPECT_FALSE(registry_->find("nobody"));
  const auto first = registry_->find("upstream");

  // Added and removed rows show after the reload interval, not before.
  add_provider("another", upstream_.issuer(), kClientSecret);
  EXPECT_EQ(registry_->buttons().size(), 1u);
  clock_.advance(31s);
  ASSERT_EQ(registry_->buttons().size(), 2u);
  EXPECT_EQ(registry_->buttons()[0].name, "another");  // name order
  // Unchanged rows keep their Upstream (and so its cached discovery and keys).
  EXPECT_EQ(registry_->find("upstream"), first);

  storage::IdentityProviderRepository repository(database());
  ASSERT_TRUE(repository.remove("another").value());
  clock_.advance(31s);
  EXPECT_FALSE(registry_->find("another"));
  EXPECT_EQ(registry_->buttons().size(), 1u);
}

TEST_F(UpstreamFlow, AProviderWhoseSecretDoesNotOpenIsLeftOut) {
  add_provider("sealed-elsewhere", upstream_.issuer(), kClientSecret, std::string(32, '\x01'));
  EXPECT_TRUE(registry_->reload());
  EXPECT_FALSE(registry_->find("sealed-elsewhere"));
  ASSERT_EQ(registry_->buttons().size(), 1u);
  EXPECT_EQ(registry_->buttons()[0].name, "upstream");
}

TEST_F(UpstreamFlow, AFailedReloadKeepsTheLastList) {
  ASSERT_EQ(registry_->buttons().size(), 1u);
  db().exec("ALTER TABLE identity_providers RENAME TO identity_providers_gone");
  EXPECT_FALSE(registry_->reload());
  clock_.advance(31s);
  ASSERT_EQ(registry_->buttons().size(), 1u);
  EXPECT_TRUE(registry_->find("upstream"));
}

}  // namespace
}  // namespace keyward::test
