// The authorization request's stages (grants/authorize_stages.h), one row per refusal
// and per accepted variant: the error code, what its description says, whether it is
// redirected (and with which state) or shown on a page. The first failing stage wins, so
// the rows that break two rules at once pin the order.
#include "grants/authorize_stages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "tests/support/fixed_clients.h"

namespace keyward::grants {
namespace {

using std::chrono::seconds;

constexpr std::string_view kCallback = "https://app.example/cb";
// RFC 7636 Appendix B's challenge.
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

Client client(std::string id, bool confidential, std::vector<std::string> grant_types) {
  Client c;
  c.id = std::move(id);
  c.confidential = confidential;
  c.grant_types = std::move(grant_types);
  c.scopes = {"openid", "profile", "offline_access"};
  c.redirect_uris = {std::string(kCallback)};
  return c;
}

test::FixedClients registered() {
  test::FixedClients clients;
  clients.add(client("web", true, {"authorization_code", "refresh_token"}));
  clients.add(client("spa", false, {"authorization_code"}));  // public: PKCE required
  clients.add(client("svc", true, {"client_credentials"}));   // no code flow
  return clients;
}

// A valid request of the confidential client, then `extra` (appended, so that a name
// given again is a repeat) and `without` (names removed).
RawParams web(RawParams extra = {}, std::vector<std::string> without = {}) {
  RawParams params = {{"client_id", "web"},
                      {"redirect_uri", std::string(kCallback)},
                      {"response_type", "code"},
                      {"state", "xyz"}};
  std::erase_if(params, [&](const auto& p) {
    return std::find(without.begin(), without.end(), p.first) != without.end();
  });
  params.insert(params.end(), extra.begin(), extra.end());
  return params;
}

RawParams as(std::string client_id, RawParams extra = {}) {
  RawParams params = web(std::move(extra), {"client_id"});
  params.insert(params.begin(), {"client_id", std::move(client_id)});
  return params;
}

struct Refusal {
  std::string name;
  RawParams params;
  ErrorCode code;
  std::string says;                  // a substring of the description
  bool redirects;                    // else a page
  std::optional<std::string> state;  // echoed with the redirect
};

// What gtest prints for a failing row.
void PrintTo(const Refusal& row, std::ostream* os) {
  *os << row.name;
}

const std::string kLongState(2049, 's');
const std::string kLongNonce(513, 'n');

const std::vector<Refusal> kRefusals = {
    // The page stages: nothing is sent to an unverified redirect_uri.
    {"ClientIdMissing",
     web({}, {"client_id"}),
     ErrorCode::InvalidRequest,
     "client_id is missing",
     false,
     {}},
    {"ClientIdEmptyIsMissing",
     as(""),
     ErrorCode::InvalidRequest,
     "client_id is missing",
     false,
     {}},
    {"ClientIdRepeated",
     web({{"client_id", "web"}}),
     ErrorCode::InvalidRequest,
     "client_id is repeated",
     false,
     {}},
    {"ClientUnknown", as("nobody"), ErrorCode::InvalidRequest, "not registered", false, {}},
    {"RedirectUriMissing",
     web({}, {"redirect_uri"}),
     ErrorCode::InvalidRequest,
     "redirect_uri is missing",
     false,
     {}},
    {"RedirectUriRepeated",
     web({{"redirect_uri", std::string(kCallback)}}),
     ErrorCode::InvalidRequest,
     "redirect_uri is repeated",
     false,
     {}},
    {"RedirectUriByPrefix",
     web({{"redirect_uri", std::string(kCallback) + "/more"}}, {"redirect_uri"}),
     ErrorCode::InvalidRequest,
     "not registered for this application",
     false,
     {}},
    {"RedirectUriOtherCase",
     web({{"redirect_uri", "https://APP.example/cb"}}, {"redirect_uri"}),
     ErrorCode::InvalidRequest,
     "not registered for this application",
     false,
     {}},
    {"RedirectUriRepeatCheckedBeforeGrantType",
     as("svc", {{"redirect_uri", "https://evil.example/"}}),
     ErrorCode::InvalidRequest,
     "redirect_uri is repeated",
     false,
     {}},
    // Redirected from here on.
    {"ClientWithoutCodeGrant", as("svc"), ErrorCode::UnauthorizedClient,
     "may not use the authorization code flow", true, "xyz"},
    {"GrantTypeCheckedBeforeEverythingElse", as("svc", {{"request", "x"}, {"scope", "a"}}),
     ErrorCode::UnauthorizedClient, "authorization code flow", true, "xyz"},
    {"ParameterRepeated", web({{"scope", "openid"}, {"scope", "openid"}}),
     ErrorCode::InvalidRequest, "parameter scope is repeated", true, "xyz"},
    {"FirstRepeatNamed",
     web({{"nonce", "a"}, {"prompt", "login"}, {"prompt", "login"}, {"nonce", "b"}}),
     ErrorCode::InvalidRequest, "parameter prompt is repeated", true, "xyz"},
    {"StateTooLongIsNotEchoed", web({{"state", kLongState}}, {"state"}), ErrorCode::InvalidRequest,
     "state is too long", true, std::nullopt},
    {"StateNotPrintableIsNotEchoed", web({{"state", "caf\xc3\xa9"}}, {"state"}),
     ErrorCode::InvalidRequest, "state must be printable ASCII", true, std::nullopt},
    {"RequestObject", web({{"request", "eyJ..."}}), ErrorCode::RequestNotSupported,
     "request objects are not supported", true, "xyz"},
    {"RequestUri", web({{"request_uri", "https://app.example/r"}}),
     ErrorCode::RequestUriNotSupported, "request_uri is not supported", true, "xyz"},
    {"Registration", web({{"registration", "{}"}}), ErrorCode::RegistrationNotSupported,
     "registration parameter is not supported", true, "xyz"},
    {"RequestObjectBeforeResponseType", web({{"request", "x"}}, {"response_type"}),
     ErrorCode::RequestNotSupported, "request objects", true, "xyz"},
    {"ResponseTypeMissing", web({}, {"response_type"}), ErrorCode::InvalidRequest,
     "response_type is missing", true, "xyz"},
    {"ResponseTypeToken", web({{"response_type", "token"}}, {"response_type"}),
     ErrorCode::UnsupportedResponseType, "only response_type=code", true, "xyz"},
    {"ResponseTypeHybrid", web({{"response_type", "code id_token"}}, {"response_type"}),
     ErrorCode::UnsupportedResponseType, "only response_type=code", true, "xyz"},
    {"ResponseModeFragment", web({{"response_mode", "fragment"}}), ErrorCode::InvalidRequest,
     "only response_mode=query", true, "xyz"},
    {"ScopeMalformed", web({{"scope", "openid  profile"}}), ErrorCode::InvalidScope,
     "scope is malformed", true, "xyz"},
    {"ScopeBeyondTheClient", web({{"scope", "openid admin"}}), ErrorCode::InvalidScope,
     "exceeds what this application may request", true, "xyz"},
    {"ChallengeMethodAlone", web({{"code_challenge_method", "S256"}}), ErrorCode::InvalidRequest,
     "code_challenge_method without code_challenge", true, "xyz"},
    {"ChallengeWithoutMethodIsPlain", web({{"code_challenge", std::string(kChallenge)}}),
     ErrorCode::InvalidRequest, "must be S256", true, "xyz"},
    {"ChallengeMethodPlain",
     web({{"code_challenge", std::string(kChallenge)}, {"code_challenge_method", "plain"}}),
     ErrorCode::InvalidRequest, "must be S256", true, "xyz"},
    {"ChallengeNotSha256",
     web({{"code_challenge", "too-short"}, {"code_challenge_method", "S256"}}),
     ErrorCode::InvalidRequest, "base64url SHA-256", true, "xyz"},
    {"PublicClientWithoutPkce", as("spa"), ErrorCode::InvalidRequest,
     "PKCE is required for public clients", true, "xyz"},
    {"NonceTooLong", web({{"nonce", kLongNonce}}), ErrorCode::InvalidRequest, "nonce is too long",
     true, "xyz"},
    {"NonceNotPrintable", web({{"nonce", "n\xc3\xa9"}}), ErrorCode::InvalidRequest,
     "nonce must be printable ASCII", true, "xyz"},
    {"PromptUnknown", web({{"prompt", "bogus"}}), ErrorCode::InvalidRequest,
     "prompt must be none, or any of", true, "xyz"},
    {"PromptNoneWithAnother", web({{"prompt", "none login"}}), ErrorCode::InvalidRequest,
     "prompt must be none, or any of", true, "xyz"},
    {"MaxAgeNegative", web({{"max_age", "-1"}}), ErrorCode::InvalidRequest,
     "max_age must be a non-negative integer", true, "xyz"},
    {"MaxAgeNotANumber", web({{"max_age", "1h"}}), ErrorCode::InvalidRequest,
     "max_age must be a non-negative integer", true, "xyz"},
    {"MaxAgeTooManyDigits", web({{"max_age", "12345678901"}}), ErrorCode::InvalidRequest,
     "max_age must be a non-negative integer", true, "xyz"},
};

class AuthorizationRequestRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(AuthorizationRequestRefusal, FailsAtItsStage) {
  const Refusal& row = GetParam();
  auto clients = registered();
  auto r = validate_authorization_request(row.params, clients);
  ASSERT_FALSE(r.ok());
  const AuthorizeError& e = r.error();
  EXPECT_EQ(e.error.code, row.code) << e.error.wire_name() << ": " << e.error.description;
  EXPECT_NE(e.error.description.find(row.says), std::string::npos) << e.error.description;
  EXPECT_EQ(e.redirects(), row.redirects);
  EXPECT_EQ(e.redirect_uri, row.redirects ? std::optional(std::string(kCallback)) : std::nullopt);
  EXPECT_EQ(e.state, row.state);
}

INSTANTIATE_TEST_SUITE_P(Rfc6749_4_1_2_1, AuthorizationRequestRefusal,
                         ::testing::ValuesIn(kRefusals),
                         [](const auto& info) { return info.param.name; });

TEST(AuthorizationRequestClientLookup, AFailureIsAPageNotARedirect) {
  for (const auto code :
       {storage::StorageErrorCode::Unavailable, storage::StorageErrorCode::Failed}) {
    auto clients = registered();
    clients.fail_with(code);
    auto r = validate_authorization_request(web(), clients);
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(r.error().redirects());
    EXPECT_EQ(r.error().error.code, code == storage::StorageErrorCode::Unavailable
                                        ? ErrorCode::TemporarilyUnavailable
                                        : ErrorCode::ServerError);
  }
}

struct Accepted {
  std::string name;
  RawParams params;
  std::function<void(const AuthorizationRequest&)> check;
};

const std::vector<Accepted> kAccepted = {
    {"Minimal", web(),
     [](const AuthorizationRequest& r) {
       EXPECT_EQ(r.client.id, "web");
       EXPECT_EQ(r.redirect_uri, kCallback);
       EXPECT_EQ(r.state, "xyz");
       // RFC 6749 §3.3: the client's scopes when none is asked for, offline_access aside.
       EXPECT_EQ(r.scope, (ScopeSet{"openid", "profile"}));
       EXPECT_TRUE(r.openid());
       EXPECT_FALSE(r.code_challenge || r.nonce || r.login_hint || r.max_age);
       EXPECT_FALSE(r.prompt.none || r.prompt.login || r.prompt.consent);
       EXPECT_EQ(r.params, web());
     }},
    {"ScopeAskedFor", web({{"scope", "profile offline_access"}}),
     [](const AuthorizationRequest& r) {
       EXPECT_EQ(r.scope, (ScopeSet{"profile", "offline_access"}));
       EXPECT_FALSE(r.openid());
     }},
    {"WithoutState", web({}, {"state"}),
     [](const AuthorizationRequest& r) { EXPECT_FALSE(r.state); }},
    {"LongestState", web({{"state", std::string(2048, 's')}}, {"state"}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.state->size(), 2048u); }},
    {"EmptyValuesAreOmittedAndUnknownOnesIgnored",
     web({{"nonce", ""}, {"ui_locales", "de"}, {"claims", "{}"}, {"nonce", "n-1"}}),
     [](const AuthorizationRequest& r) {
       EXPECT_EQ(r.nonce, "n-1");
       RawParams kept = web({{"nonce", "n-1"}});
       EXPECT_EQ(r.params, kept);
     }},
    {"ResponseModeQuery", web({{"response_mode", "query"}}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.client.id, "web"); }},
    {"PublicClientWithS256",
     as("spa", {{"code_challenge", std::string(kChallenge)}, {"code_challenge_method", "S256"}}),
     [](const AuthorizationRequest& r) {
       EXPECT_FALSE(r.client.confidential);
       EXPECT_EQ(r.code_challenge, kChallenge);
     }},
    {"ConfidentialClientWithS256",
     web({{"code_challenge", std::string(kChallenge)}, {"code_challenge_method", "S256"}}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.code_challenge, kChallenge); }},
    {"LongestNonce", web({{"nonce", std::string(512, 'n')}}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.nonce->size(), 512u); }},
    {"PromptNone", web({{"prompt", "none"}}),
     [](const AuthorizationRequest& r) {
       EXPECT_TRUE(r.prompt.none);
       EXPECT_FALSE(r.prompt.login || r.prompt.consent);
     }},
    {"PromptLoginConsent", web({{"prompt", "login consent"}}),
     [](const AuthorizationRequest& r) {
       EXPECT_TRUE(r.prompt.login && r.prompt.consent);
       EXPECT_FALSE(r.prompt.none);
     }},
    {"PromptSelectAccountIsLogin", web({{"prompt", "select_account"}}),
     [](const AuthorizationRequest& r) { EXPECT_TRUE(r.prompt.login); }},
    {"MaxAgeZero", web({{"max_age", "0"}}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.max_age, seconds(0)); }},
    {"MaxAgeTenDigits", web({{"max_age", "9999999999"}}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.max_age, seconds(9999999999)); }},
    {"LoginHint", web({{"login_hint", "alice"}}),
     [](const AuthorizationRequest& r) { EXPECT_EQ(r.login_hint, "alice"); }},
    {"LoginHintTooLongIsIgnoredNotRefused", web({{"login_hint", std::string(256, 'a')}}),
     [](const AuthorizationRequest& r) { EXPECT_FALSE(r.login_hint); }},
};

void PrintTo(const Accepted& row, std::ostream* os) {
  *os << row.name;
}

class AuthorizationRequestAccepted : public ::testing::TestWithParam<Accepted> {};

TEST_P(AuthorizationRequestAccepted, PassesEveryStage) {
  auto clients = registered();
  auto r = validate_authorization_request(GetParam().params, clients);
  ASSERT_TRUE(r.ok()) << r.error().error.description;
  GetParam().check(*r);
}

INSTANTIATE_TEST_SUITE_P(Rfc6749_4_1_1, AuthorizationRequestAccepted,
                         ::testing::ValuesIn(kAccepted),
                         [](const auto& info) { return info.param.name; });

// The whole order at once: a request that breaks every redirected stage's rule fails at
// the first; with that mended, at the second; and so on, until it passes.
TEST(AuthorizationStage, RunInTheirOrderFirstFailureWins) {
  auto set = [](RawParams& params, const std::string& name, const std::string& value) {
    std::erase_if(params, [&](const auto& p) { return p.first == name; });
    params.emplace_back(name, value);
  };
  const struct {
    std::function<void(RawParams&)> break_rule;
    std::string says;
  } rules[] = {
      {[&](RawParams& p) { set(p, "client_id", "svc"); }, "authorization code flow"},
      {[](RawParams& p) {
         p.insert(p.end(), {{"login_hint", "a"}, {"login_hint", "b"}});
       },
       "parameter login_hint is repeated"},
      {[&](RawParams& p) { set(p, "state", "caf\xc3\xa9"); }, "state must be printable ASCII"},
      {[&](RawParams& p) { set(p, "request", "x"); }, "request objects are not supported"},
      {[&](RawParams& p) { set(p, "response_type", "token"); }, "only response_type=code"},
      {[&](RawParams& p) { set(p, "response_mode", "fragment"); }, "only response_mode=query"},
      {[&](RawParams& p) { set(p, "scope", "admin"); }, "exceeds what this application"},
      {[&](RawParams& p) { set(p, "code_challenge_method", "S256"); },
       "code_challenge_method without code_challenge"},
      {[&](RawParams& p) { set(p, "nonce", "caf\xc3\xa9"); }, "nonce must be printable ASCII"},
      {[&](RawParams& p) { set(p, "prompt", "bogus"); }, "prompt must be none"},
      {[&](RawParams& p) { set(p, "max_age", "-1"); }, "max_age must be"},
  };
  auto clients = registered();
  for (size_t first = 0; first <= std::size(rules); ++first) {
    RawParams params = web();
    for (size_t i = first; i < std::size(rules); ++i) rules[i].break_rule(params);
    auto r = validate_authorization_request(params, clients);
    if (first == std::size(rules)) {
      EXPECT_TRUE(r.ok());
      continue;
    }
    SCOPED_TRACE(rules[first].says);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().redirects());
    EXPECT_NE(r.error().error.description.find(rules[first].says), std::string::npos)
        << r.error().error.description;
  }
}

// A stage on its own: it reads only what it is for and fills in only its part.
TEST(AuthorizationStage, EachFillsInItsOwnPart) {
  const auto params = collect_authorization_params(
      web({{"scope", "openid"}, {"nonce", "n"}, {"prompt", "consent"}, {"max_age", "60"}}));
  AuthorizationRequest request;
  request.client = client("web", true, {"authorization_code"});
  EXPECT_FALSE(check_scope(params, request));
  EXPECT_EQ(request.scope, ScopeSet{"openid"});
  EXPECT_FALSE(request.nonce);
  EXPECT_FALSE(check_nonce(params, request));
  EXPECT_EQ(request.nonce, "n");
  EXPECT_FALSE(request.max_age);
  EXPECT_FALSE(check_max_age(params, request));
  EXPECT_EQ(request.max_age, seconds(60));
  EXPECT_FALSE(request.prompt.consent);
  EXPECT_FALSE(check_prompt(params, request));
  EXPECT_TRUE(request.prompt.consent);
}

TEST(AuthorizationStage, CollectKeepsTheFirstOfARepeatAndNamesItOnce) {
  const auto params = collect_authorization_params(
      {{"scope", "a"}, {"state", ""}, {"scope", "b"}, {"scope", "c"}, {"other", "x"}});
  EXPECT_EQ(params.kept, (RawParams{{"scope", "a"}}));
  EXPECT_EQ(params.repeated, std::vector<std::string>{"scope"});
  EXPECT_TRUE(params.is_repeated("scope"));
  EXPECT_FALSE(params.get("state"));
}

}  // namespace
}  // namespace keyward::grants
