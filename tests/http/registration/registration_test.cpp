// Dynamic client registration over HTTP (RFC 7591, RFC 7592; docs/registration.md) against
// the real binary: POST /register with an initial access token (KEYWARD_DCR=token, the
// default), open registration, KEYWARD_DCR=off, every refusal with its RFC error code, the
// management routes with a registration access token that rotates, a registered client
// that gets tokens, and a deleted one that no longer does; `keyward registration-token`.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "storage/registration_token_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/suite_server.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr std::string_view kMasterKey =
    "5555555555555555555555555555555555555555555555555555555555555555";
constexpr std::string_view kIssuer = "http://127.0.0.1:9";

Env settings(std::string_view dcr) {
  Env env{{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
          {"KEYWARD_ISSUER", std::string(kIssuer)},
          {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
          {"KEYWARD_ARGON2_ITERATIONS", "5"}};
  if (!dcr.empty()) env["KEYWARD_DCR"] = std::string(dcr);
  return env;
}

// Any method, with a JSON body when `body` is given.
Response call(uint16_t port, std::string_view method, const std::string& target,
              const std::string& bearer = "", const std::optional<std::string>& body = {},
              std::string_view content_type = "application/json") {
  std::string raw = std::string(method) + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!bearer.empty()) raw += "Authorization: Bearer " + bearer + "\r\n";
  if (body) {
    raw += "Content-Type: " + std::string(content_type) + "\r\n";
    raw += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  } else if (method == "POST" || method == "PUT") {
    raw += "Content-Length: 0\r\n";
  }
  raw += "\r\n";
  if (body) raw += *body;
  Connection connection(port);
  return connection.request(raw);
}

json code_client_metadata(std::string name = "Registered app") {
  return {{"client_name", std::move(name)},
          {"redirect_uris", {"https://app.example/cb"}},
          {"grant_types", {"authorization_code", "refresh_token"}},
          {"scope", "openid profile"},
          {"logo_uri", "https://app.example/logo.png"},
          {"contacts", {"ops@app.example"}},
          {"an_extension_we_ignore", "x"}};
}

json service_metadata() {
  return {{"client_name", "Billing service"},
          {"grant_types", {"client_credentials"}},
          {"scope", "orders:read"},
          {"token_endpoint_auth_method", "client_secret_basic"}};
}

// `keyward registration-token create <args>`: the printed JSON (stdout comes before the
// stderr notice in the combined output).
json create_initial_token(const Env& env, const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv{"registration-token", "create"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto run = run_keyward(argv, env);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const auto end = run.output.rfind('}');
  return json::parse(run.output.substr(0, end + 1));
}

void expect_no_store(const Response& r) {
  EXPECT_EQ(r.header("Cache-Control"), "no-store") << r.status_line;
}

void expect_error(const Response& r, int status, std::string_view code) {
  EXPECT_EQ(r.status, status) << r.body;
  ASSERT_NO_THROW((void)r.json()) << r.body;
  EXPECT_EQ(r.json().value("error", ""), code) << r.body;
  EXPECT_FALSE(r.json().value("error_description", "").empty()) << r.body;
  expect_no_store(r);
}

// --- KEYWARD_DCR=token (the default) --------------------------------------------------------

class Registration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    suite_ = new SuiteServer(settings(""));
    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
  }
  static uint16_t port() { return suite_->port(); }
  static const Env& env() { return suite_->env(); }

  static std::string initial_token(const std::vector<std::string>& args = {}) {
    return create_initial_token(env(), args).at("token").get<std::string>();
  }
  // Registers `metadata` with a fresh initial access token; the 201's body.
  static json register_ok(const json& metadata) {
    const auto r = call(port(), "POST", "/register", initial_token(), metadata.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  static std::string client_path(const json& registered) {
    return "/register/" + registered.at("client_id").get<std::string>();
  }
  static std::string rat(const json& registered) {
    return registered.at("registration_access_token").get<std::string>();
  }
  static Response client_credentials(const json& registered) {
    return post(port(), "/token", "grant_type=client_credentials",
                "application/x-www-form-urlencoded",
                basic_authorization(registered.at("client_id").get<std::string>(),
                                    registered.at("client_secret").get<std::string>()));
  }

  static SuiteServer* suite_;
};
SuiteServer* Registration::suite_ = nullptr;

TEST_F(Registration, DiscoveryAdvertisesTheRegistrationEndpoint) {
  const auto doc = get(port(), "/.well-known/openid-configuration").json();
  EXPECT_EQ(doc.value("registration_endpoint", ""), std::string(kIssuer) + "/register");
  const auto rfc8414 = get(port(), "/.well-known/oauth-authorization-server").json();
  EXPECT_EQ(rfc8414.value("registration_endpoint", ""), std::string(kIssuer) + "/register");
}

TEST_F(Registration, Rfc7591_3_RegistersAConfidentialClientOnce) {
  const std::string token = initial_token();
  const auto r = call(port(), "POST", "/register", token, code_client_metadata().dump());
  ASSERT_EQ(r.status, 201) << r.body;
  expect_no_store(r);
  EXPECT_EQ(r.header("Content-Type").value_or("").rfind("application/json", 0), 0u);
  const json body = r.json();
  const std::string id = body.at("client_id");
  EXPECT_EQ(body.at("client_secret").get<std::string>().size(), 43u);
  EXPECT_EQ(body.at("client_secret_expires_at"), 0);
  EXPECT_GT(body.at("client_id_issued_at").get<long long>(), 1700000000);
  EXPECT_EQ(body.at("registration_client_uri"), std::string(kIssuer) + "/register/" + id);
  EXPECT_EQ(body.at("registration_access_token").get<std::string>().size(), 43u);
  EXPECT_EQ(body.at("client_name"), "Registered app");
  EXPECT_EQ(body.at("grant_types"), json({"authorization_code", "refresh_token"}));
  EXPECT_EQ(body.at("response_types"), json({"code"}));
  EXPECT_EQ(body.at("token_endpoint_auth_method"), "client_secret_basic");
  EXPECT_EQ(body.at("scope"), "openid profile");
  EXPECT_EQ(body.at("redirect_uris"), json({"https://app.example/cb"}));
  EXPECT_EQ(body.at("logo_uri"), "https://app.example/logo.png");
  EXPECT_EQ(body.at("contacts"), json({"ops@app.example"}));
  EXPECT_FALSE(body.contains("an_extension_we_ignore"));  // RFC 7591 §2: ignored
  // Neither the secret nor either token reaches the log (DESIGN.md "Observability").
  const std::string log = suite_->process().output();
  EXPECT_EQ(log.find(body.at("client_secret").get<std::string>()), std::string::npos);
  EXPECT_EQ(log.find(body.at("registration_access_token").get<std::string>()), std::string::npos);
  EXPECT_EQ(log.find(token), std::string::npos);
  // The same client shows in `keyward client show`.
  const auto shown = run_keyward({"client", "show", id}, env());
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("\"first_party\": false"), std::string::npos) << shown.output;
}

TEST_F(Registration, Rfc6750_3_1_NoTokenIs401WithABearerChallenge) {
  const auto r = call(port(), "POST", "/register", "", code_client_metadata().dump());
  expect_error(r, 401, "invalid_token");
  EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"keyward\"");
  // Another scheme counts as no token.
  const auto basic = post(port(), "/register", code_client_metadata().dump(), "application/json",
                          basic_authorization("a", "b"));
  expect_error(basic, 401, "invalid_token");
}

TEST_F(Registration, WrongExpiredAndUsedUpTokensAre401) {
  const auto wrong =
      call(port(), "POST", "/register", random_token(32), code_client_metadata().dump());
  expect_error(wrong, 401, "invalid_token");
  EXPECT_EQ(wrong.header("WWW-Authenticate")
                .value_or("")
                .rfind("Bearer realm=\"keyward\", error=\"invalid_token\"", 0),
            0u)
      << wrong.header("WWW-Authenticate").value_or("");
  const auto malformed = call(port(), "POST", "/register", "a b\"c", code_client_metadata().dump());
  expect_error(malformed, 401, "invalid_token");

  // Expired: stored directly with an expiry in the past.
  auto db = suite_->database().open();
  storage::RegistrationTokenRepository tokens(db);
  const std::string expired = random_token(32);
  ASSERT_TRUE(tokens
                  .insert("expired-one", sha256(expired),
                          std::chrono::system_clock::now() - seconds(1), std::nullopt)
                  .ok());
  expect_error(call(port(), "POST", "/register", expired, code_client_metadata().dump()), 401,
               "invalid_token");

  // Used up: one use, then refused.
  const std::string once = initial_token({"--max-uses", "1"});
  ASSERT_EQ(call(port(), "POST", "/register", once, code_client_metadata().dump()).status, 201);
  expect_error(call(port(), "POST", "/register", once, code_client_metadata().dump()), 401,
               "invalid_token");
}

TEST_F(Registration, RefusedMetadataDoesNotSpendAUse) {
  const std::string once = initial_token({"--max-uses", "1"});
  json bad = code_client_metadata();
  bad["logo_uri"] = "http://app.example/logo.png";
  expect_error(call(port(), "POST", "/register", once, bad.dump()), 400, "invalid_client_metadata");
  EXPECT_EQ(call(port(), "POST", "/register", once, code_client_metadata().dump()).status, 201);
}

struct BadMetadata {
  const char* name;
  json metadata;
  const char* error;
};

TEST_F(Registration, Rfc7591_3_2_2_BadMetadataIs400WithItsCode) {
  auto with = [](json patch) {
    json m = code_client_metadata();
    m.merge_patch(patch);
    return m;
  };
  const std::vector<BadMetadata> cases = {
      {"http logo_uri", with({{"logo_uri", "http://app.example/logo.png"}}),
       "invalid_client_metadata"},
      {"http client_uri", with({{"client_uri", "http://app.example"}}), "invalid_client_metadata"},
      {"http policy_uri", with({{"policy_uri", "http://app.example/p"}}),
       "invalid_client_metadata"},
      {"http tos_uri", with({{"tos_uri", "http://app.example/t"}}), "invalid_client_metadata"},
      {"http jwks_uri", with({{"jwks_uri", "http://app.example/jwks"}}), "invalid_client_metadata"},
      {"javascript client_uri", with({{"client_uri", "javascript:alert(1)"}}),
       "invalid_client_metadata"},
      {"data logo_uri", with({{"logo_uri", "data:image/png;base64,AAAA"}}),
       "invalid_client_metadata"},
      {"javascript redirect", with({{"redirect_uris", {"javascript:alert(1)"}}}),
       "invalid_redirect_uri"},
      {"data redirect", with({{"redirect_uris", {"data:text/html,x"}}}), "invalid_redirect_uri"},
      {"fragment redirect", with({{"redirect_uris", {"https://app.example/cb#frag"}}}),
       "invalid_redirect_uri"},
      {"http non-loopback redirect", with({{"redirect_uris", {"http://app.example/cb"}}}),
       "invalid_redirect_uri"},
      {"no redirect", with({{"redirect_uris", nullptr}}), "invalid_redirect_uri"},
      {"unknown grant type", with({{"grant_types", {"authorization_code", "implicit"}}}),
       "invalid_client_metadata"},
      {"password grant", with({{"grant_types", {"password"}}}), "invalid_client_metadata"},
      {"token response type", with({{"response_types", {"code", "token"}}}),
       "invalid_client_metadata"},
      {"code without the code grant",
       {{"client_name", "x"},
        {"grant_types", {"client_credentials"}},
        {"response_types", {"code"}}},
       "invalid_client_metadata"},
      {"public client_credentials",
       {{"client_name", "x"},
        {"grant_types", {"client_credentials"}},
        {"token_endpoint_auth_method", "none"}},
       "invalid_client_metadata"},
      {"unknown auth method", with({{"token_endpoint_auth_method", "private_key_jwt"}}),
       "invalid_client_metadata"},
      {"no name", with({{"client_name", nullptr}}), "invalid_client_metadata"},
      {"name not a string", with({{"client_name", 12}}), "invalid_client_metadata"},
      {"bad scope", with({{"scope", "openid  profile"}}), "invalid_client_metadata"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(call(port(), "POST", "/register", initial_token(), c.metadata.dump()), 400,
                 c.error);
  }
  // Not JSON, not an object, not application/json, too large.
  const std::string token = initial_token();
  expect_error(call(port(), "POST", "/register", token, "{\"client_name\":"), 400,
               "invalid_client_metadata");
  expect_error(call(port(), "POST", "/register", token, "[]"), 400, "invalid_client_metadata");
  expect_error(call(port(), "POST", "/register", token, code_client_metadata().dump(),
                    "application/x-www-form-urlencoded"),
               400, "invalid_request");
  json huge = code_client_metadata();
  huge["padding"] = std::string(20 * 1024, 'x');
  expect_error(call(port(), "POST", "/register", token, huge.dump()), 400,
               "invalid_client_metadata");
  // None of them stored a client: the token still has all its (unlimited) uses, and the
  // client list holds only what the other tests registered successfully.
  const auto listed = run_keyward({"client", "list"}, env());
  EXPECT_EQ(listed.output.find("\"client_name\": \"x\""), std::string::npos);
}

TEST_F(Registration, RegisteredServiceGetsAClientCredentialsToken) {
  const json registered = register_ok(service_metadata());
  EXPECT_FALSE(registered.contains("redirect_uris") && !registered["redirect_uris"].empty());
  EXPECT_EQ(registered.at("response_types"), json::array());
  const auto token = client_credentials(registered);
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(token.json().at("scope"), "orders:read");
}

TEST_F(Registration, Rfc7592_2_1_ReadsWithTheRegistrationAccessToken) {
  const json registered = register_ok(code_client_metadata("Readable"));
  const auto r = call(port(), "GET", client_path(registered), rat(registered));
  ASSERT_EQ(r.status, 200) << r.body;
  expect_no_store(r);
  json expected = registered;
  expected.erase("client_secret");  // shown once, at registration
  EXPECT_EQ(r.json(), expected);
}

TEST_F(Registration, Rfc7592_3_WrongTokenOrClientIs401WithoutALeak) {
  const json a = register_ok(code_client_metadata("A"));
  const json b = register_ok(code_client_metadata("B"));
  // No token, a wrong one, another client's, an unknown client: all the same 401.
  const auto none = call(port(), "GET", client_path(a));
  expect_error(none, 401, "invalid_token");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"keyward\"");
  const auto wrong = call(port(), "GET", client_path(a), random_token(32));
  const auto other = call(port(), "GET", client_path(a), rat(b));
  const auto unknown = call(port(), "GET", "/register/no-such-client", rat(a));
  const auto odd = call(port(), "GET", "/register/%C3%A9t%C3%A9", rat(a));
  for (const auto* r : {&wrong, &other, &unknown, &odd}) {
    expect_error(*r, 401, "invalid_token");
    EXPECT_EQ(r->body, wrong.body);
    EXPECT_EQ(r->header("WWW-Authenticate"), wrong.header("WWW-Authenticate"));
  }
  // The initial access token is not a registration access token.
  expect_error(call(port(), "GET", client_path(a), initial_token()), 401, "invalid_token");
  // PUT and DELETE refuse the same way, changing nothing.
  expect_error(call(port(), "PUT", client_path(a), rat(b), code_client_metadata("X").dump()), 401,
               "invalid_token");
  expect_error(call(port(), "DELETE", client_path(a), rat(b)), 401, "invalid_token");
  EXPECT_EQ(call(port(), "GET", client_path(a), rat(a)).json().at("client_name"), "A");
  // Other methods and paths.
  EXPECT_EQ(call(port(), "POST", client_path(a), rat(a), "{}").status, 405);
  EXPECT_EQ(call(port(), "GET", "/register", initial_token()).status, 405);
  EXPECT_EQ(call(port(), "GET", client_path(a) + "/x", rat(a)).status, 404);
  // A segment that does not decode strictly matches no route.
  EXPECT_EQ(call(port(), "GET", "/register/%00", rat(a)).status, 404);
}

TEST_F(Registration, Rfc7592_2_2_UpdateReplacesEverythingAndRotatesTheToken) {
  const json registered = register_ok(code_client_metadata("Before"));
  const std::string id = registered.at("client_id");
  json update = {{"client_id", id},
                 {"client_secret", registered.at("client_secret")},
                 {"client_name", "After"},
                 {"redirect_uris", {"https://app.example/new-cb"}},
                 {"grant_types", {"authorization_code"}},
                 {"scope", "openid"}};
  const auto r = call(port(), "PUT", client_path(registered), rat(registered), update.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  expect_no_store(r);
  const json after = r.json();
  EXPECT_EQ(after.at("client_name"), "After");
  EXPECT_EQ(after.at("redirect_uris"), json({"https://app.example/new-cb"}));
  EXPECT_EQ(after.at("grant_types"), json({"authorization_code"}));
  EXPECT_FALSE(after.contains("logo_uri"));  // full replacement: omitted means gone
  EXPECT_FALSE(after.contains("contacts"));
  EXPECT_FALSE(after.contains("client_secret"));
  EXPECT_EQ(after.at("client_id_issued_at"), registered.at("client_id_issued_at"));
  EXPECT_NE(rat(after), rat(registered));
  // The old token is dead, the new one works; the secret is unchanged.
  expect_error(call(port(), "GET", client_path(registered), rat(registered)), 401, "invalid_token");
  EXPECT_EQ(call(port(), "GET", client_path(registered), rat(after)).json().at("client_name"),
            "After");
  const auto shown = run_keyward({"client", "show", id}, env());
  EXPECT_NE(shown.output.find("https://app.example/new-cb"), std::string::npos) << shown.output;
}

TEST_F(Registration, Rfc7592_2_2_RefusedUpdatesChangeNothing) {
  json registered = register_ok(code_client_metadata("Stable"));
  const std::string id = registered.at("client_id");
  json base = code_client_metadata("Changed");
  base["client_id"] = id;
  auto refused = [&](json body, int status, std::string_view code) {
    expect_error(call(port(), "PUT", client_path(registered), rat(registered), body.dump()), status,
                 code);
  };
  json no_id = base;
  no_id.erase("client_id");
  refused(no_id, 400, "invalid_request");
  json other_id = base;
  other_id["client_id"] = "someone-else";
  refused(other_id, 400, "invalid_request");
  json wrong_secret = base;
  wrong_secret["client_secret"] = random_token(32);
  refused(wrong_secret, 400, "invalid_client_metadata");
  json to_public = base;
  to_public["token_endpoint_auth_method"] = "none";
  refused(to_public, 400, "invalid_client_metadata");
  json bad_uri = base;
  bad_uri["tos_uri"] = "javascript:alert(1)";
  refused(bad_uri, 400, "invalid_client_metadata");
  json bad_redirect = base;
  bad_redirect["redirect_uris"] = {"http://evil.example/cb"};
  refused(bad_redirect, 400, "invalid_redirect_uri");
  expect_error(
      call(port(), "PUT", client_path(registered), rat(registered), base.dump(), "text/plain"), 400,
      "invalid_request");
  // Still the same client, the same token.
  const auto now = call(port(), "GET", client_path(registered), rat(registered));
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.json().at("client_name"), "Stable");
}

TEST_F(Registration, UpdateReachesTheCachedClientAtOnce) {
  const json registered = register_ok(service_metadata());
  ASSERT_EQ(client_credentials(registered).status, 200);  // now cached
  json update = service_metadata();
  update["client_id"] = registered.at("client_id");
  update["grant_types"] = {"authorization_code"};
  update["redirect_uris"] = {"https://svc.example/cb"};
  const auto r = call(port(), "PUT", client_path(registered), rat(registered), update.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const auto refused = client_credentials(registered);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json().value("error", ""), "unauthorized_client") << refused.body;
}

TEST_F(Registration, Rfc7592_2_3_DeleteRemovesTheClientAndItsTokens) {
  const json registered = register_ok(service_metadata());
  ASSERT_EQ(client_credentials(registered).status, 200);
  const auto r = call(port(), "DELETE", client_path(registered), rat(registered));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(r.body.empty());
  expect_no_store(r);
  expect_error(call(port(), "GET", client_path(registered), rat(registered)), 401, "invalid_token");
  expect_error(call(port(), "DELETE", client_path(registered), rat(registered)), 401,
               "invalid_token");
  const auto token = client_credentials(registered);
  EXPECT_EQ(token.status, 401) << token.body;
  EXPECT_EQ(token.json().value("error", ""), "invalid_client");
}

TEST_F(Registration, PublicClientGetsNoSecret) {
  json metadata = code_client_metadata("Native app");
  metadata["token_endpoint_auth_method"] = "none";
  metadata["redirect_uris"] = {"http://127.0.0.1:8123/cb", "com.example.app:/cb"};
  const json registered = register_ok(metadata);
  EXPECT_FALSE(registered.contains("client_secret"));
  EXPECT_FALSE(registered.contains("client_secret_expires_at"));
  EXPECT_EQ(registered.at("token_endpoint_auth_method"), "none");
}

TEST_F(Registration, CliListsAndRevokesInitialTokens) {
  const json created = create_initial_token(env(), {"--expires-in", "600", "--max-uses", "2"});
  const std::string id = created.at("id");
  EXPECT_EQ(created.at("max_uses"), 2);
  EXPECT_EQ(created.at("uses"), 0);
  EXPECT_GT(created.at("expires_at").get<long long>(), created.at("created_at").get<long long>());
  const std::string token = created.at("token");

  const auto listed = run_keyward({"registration-token", "list", "--json"}, env());
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(id), std::string::npos);
  EXPECT_EQ(listed.output.find(token), std::string::npos);  // never the token
  const auto table = run_keyward({"registration-token", "list"}, env());
  EXPECT_NE(table.output.find(id), std::string::npos);
  EXPECT_NE(table.output.find("0/2"), std::string::npos) << table.output;

  const auto revoked = run_keyward({"registration-token", "revoke", id}, env());
  EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
  expect_error(call(port(), "POST", "/register", token, code_client_metadata().dump()), 401,
               "invalid_token");
  EXPECT_EQ(run_keyward({"registration-token", "revoke", id}, env()).exit_code, 1);

  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"registration-token", "create", "--max-uses", "0"},
           {"registration-token", "create", "--expires-in", "-5"},
           {"registration-token", "create", "--expires-in", "99999999999"},
           {"registration-token", "create", "extra"},
           {"registration-token", "revoke"},
           {"registration-token", "frobnicate"}}) {
    const auto run = run_keyward(bad, env());
    EXPECT_EQ(run.exit_code, 2) << bad.back() << ": " << run.output;
  }
}

// --- KEYWARD_DCR=open -------------------------------------------------------------------------

class OpenRegistration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    suite_ = new SuiteServer(settings("open"));
    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
  }
  static SuiteServer* suite_;
};
SuiteServer* OpenRegistration::suite_ = nullptr;

TEST_F(OpenRegistration, AnyoneRegistersSignInClients) {
  const uint16_t port = suite_->port();
  EXPECT_EQ(
      get(port, "/.well-known/openid-configuration").json().value("registration_endpoint", ""),
      std::string(kIssuer) + "/register");
  const auto r = call(port, "POST", "/register", "", code_client_metadata().dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const json registered = r.json();
  // Managed like any other registration.
  EXPECT_EQ(call(port, "GET", "/register/" + registered.at("client_id").get<std::string>(),
                 registered.at("registration_access_token").get<std::string>())
                .status,
            200);
  // Service clients and scopes Keyward does not define need an initial access token.
  expect_error(call(port, "POST", "/register", "", service_metadata().dump()), 400,
               "invalid_client_metadata");
  json custom = code_client_metadata();
  custom["scope"] = "openid admin";
  expect_error(call(port, "POST", "/register", "", custom.dump()), 400, "invalid_client_metadata");
}

// --- KEYWARD_DCR=off --------------------------------------------------------------------------

class RegistrationOff : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    suite_ = new SuiteServer(settings("off"));
    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
  }
  static SuiteServer* suite_;
};
SuiteServer* RegistrationOff::suite_ = nullptr;

TEST_F(RegistrationOff, NoEndpointAndNoneAdvertised) {
  const uint16_t port = suite_->port();
  const auto doc = get(port, "/.well-known/openid-configuration").json();
  EXPECT_FALSE(doc.contains("registration_endpoint"));
  const std::string token = create_initial_token(suite_->env()).at("token");
  EXPECT_EQ(call(port, "POST", "/register", token, code_client_metadata().dump()).status, 404);
  EXPECT_EQ(call(port, "GET", "/register/anything", token).status, 404);
}

}  // namespace
}  // namespace keyward::test
