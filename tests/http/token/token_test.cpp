// Black-box tests of POST /token, /introspect and /revoke over loopback: the
// real `keyward serve` on its own migrated database, clients registered through the real
// `keyward client create`, users through the user repository. Every error path asserts
// the exact status, JSON body and headers (RFC 6749 §5.2, RFC 7009, RFC 7662).
#include <gtest/gtest.h>
#include <map>
#include <thread>

#include "http/form.h"
#include "jose/jwks.h"
#include "jose/verify.h"
#include "storage/database.h"
#include "storage/user_repository.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/http/support/suite_server.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMasterKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr std::string_view kIssuer = "http://127.0.0.1:9";
constexpr std::string_view kPassword = "correct horse battery staple";

// RFC 6749 §2.3.1, with the client's own secret unless `secret_override` is given.
std::string basic(const RegisteredClient& c, std::string_view secret_override = {}) {
  return basic_authorization(c.id, secret_override.empty() ? c.secret : secret_override);
}

// RFC 6749 §5.1 / §5.2: every answer of these endpoints carries both.
void expect_no_store(const Response& r) {
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(r.header("Pragma"), "no-cache");
}

void expect_error(const Response& r, int status, const std::string& error,
                  const std::string& description) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.json(), (json{{"error", error}, {"error_description", description}})) << r.body;
  expect_no_store(r);
  if (status != 401 || error != "invalid_client") {
    EXPECT_FALSE(r.header("WWW-Authenticate").has_value());
  }
}

const json kInactive = {{"active", false}};

class TokenEndpoints : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    suite_ = new SuiteServer({{"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
                              {"KEYWARD_ISSUER", std::string(kIssuer)},
                              {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
                              {"KEYWARD_ARGON2_ITERATIONS", "5"},
                              // Off by default (RFC 9700 §2.4); these tests exercise it.
                              {"KEYWARD_PASSWORD_GRANT", "true"}});
    register_client("svc", {"--grant-types", "client_credentials", "--scopes", "read write",
                            "--audience", "https://api.example"});
    register_client("svc-post", {"--grant-types", "client_credentials", "--scopes", "read",
                                 "--token-endpoint-auth-method", "client_secret_post"});
    register_client(
        "rs", {"--grant-types", "client_credentials", "--scopes", "introspect", "--introspect"});
    register_client("app", {"--grant-types", "password,refresh_token", "--scopes",
                            "read write profile", "--audience", "https://api.example", "--audience",
                            "https://other.example", "--first-party"});
    register_client(
        "app2", {"--grant-types", "password,refresh_token", "--scopes", "read", "--first-party"});
    register_client("norefresh",
                    {"--grant-types", "password", "--scopes", "read", "--first-party"});
    // Registered for the password grant but not first-party: refused at the token endpoint.
    register_client("thirdparty", {"--grant-types", "password,refresh_token", "--scopes", "read"});
    register_client("public", {"--grant-types", "authorization_code,refresh_token", "--scopes",
                               "read", "--public", "--redirect-uri", "http://127.0.0.1:7777/cb"});

    auto db = suite_->database().open();
    user_ids_ = new std::map<std::string, std::string>();
    for (const std::string name : {"alice", "bob", "carol", "dave", "erin", "tom"}) {
      (*user_ids_)[name] = insert_user(
          db, storage::NewUser{name, std::nullopt, std::nullopt, std::nullopt, ""}, kPassword);
    }
    if (!storage::UserRepository(db).set_disabled("dave", true, SystemClock().now()).ok())
      throw std::runtime_error("disable dave");

    // Ready once the first signing key exists.
    suite_->start();
  }
  static void TearDownTestSuite() {
    delete suite_;
    delete user_ids_;
    suite_ = nullptr;
  }
  void SetUp() override {
    if (suite_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    ASSERT_EQ(get(port(), "/health/ready").status, 200) << suite_->process().output();
  }

  static void register_client(const std::string& name, const std::vector<std::string>& args) {
    suite_->register_client(name, name, args);
  }

  static uint16_t port() { return suite_->port(); }
  static const RegisteredClient& client(const std::string& name) { return suite_->client(name); }
  static const std::string& user_id(const std::string& name) { return user_ids_->at(name); }

  // Each test signs in from its own address (X-Forwarded-For from loopback, a trusted
  // proxy), so the per-address throttle of one test never reaches another.
  static std::string from(std::string_view address) {
    return "X-Forwarded-For: " + std::string(address) + "\r\n";
  }

  static Response token(const std::string& body, const std::string& headers) {
    return post(port(), "/token", body, "application/x-www-form-urlencoded", headers);
  }
  static Response introspect(const std::string& token_value,
                             const RegisteredClient& caller = client("rs")) {
    return post(port(), "/introspect", form({{"token", token_value}}),
                "application/x-www-form-urlencoded", basic(caller));
  }
  static Response revoke(const std::string& token_value, const RegisteredClient& caller) {
    return post(port(), "/revoke", form({{"token", token_value}}),
                "application/x-www-form-urlencoded", basic(caller));
  }
  static json password_grant(const std::string& client_name, const std::string& user,
                             const std::string& address, std::string_view scope = {}) {
    std::string body =
        form({{"grant_type", "password"}, {"username", user}, {"password", kPassword}});
    if (!scope.empty()) body += "&" + form({{"scope", scope}});
    const auto r = token(body, basic(client(client_name)) + from(address));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  // A grant of alice's to the public client with a refresh token, as the code flow would
  // leave it (a public client cannot use the password grant).
  static std::string seed_public_refresh_token(const std::string& grant_id) {
    const std::string refresh_token = "public-" + grant_id + std::string(30, 'r');
    suite_->database().exec(
        "INSERT INTO grants (id, client_id, user_id, scopes, expires_at) VALUES ('" + grant_id +
        "', '" + client("public").id + "', '" + user_id("alice") +
        "', '{read}', now() + interval '1 day');"
        " INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scopes,"
        " expires_at) VALUES (sha256(convert_to('" +
        refresh_token + "', 'UTF8')), '" + grant_id + "', '" + client("public").id +
        "', '{read}', now() + interval '1 day')");
    return refresh_token;
  }
  static Response refresh(const std::string& client_name, const std::string& refresh_token,
                          std::string_view scope = {}) {
    std::string body = form({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}});
    if (!scope.empty()) body += "&" + form({{"scope", scope}});
    return token(body, basic(client(client_name)));
  }

  static SuiteServer* suite_;
  static std::map<std::string, std::string>* user_ids_;
};
SuiteServer* TokenEndpoints::suite_ = nullptr;
std::map<std::string, std::string>* TokenEndpoints::user_ids_ = nullptr;

// --- client credentials (RFC 6749 §4.4, RFC 9068) ---

TEST_F(TokenEndpoints, ClientCredentialsIssuesRfc9068AccessToken) {
  const auto r = token(form({{"grant_type", "client_credentials"}}), basic(client("svc")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  expect_no_store(r);
  const auto body = r.json();
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 600);
  EXPECT_EQ(body["scope"], "read write");  // the client's whole allowance when omitted
  // RFC 6749 §4.4.3: no refresh token.
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(body.size(), 4u);

  const std::string at = body["access_token"];
  const auto header = jwt_part(at, 0);
  EXPECT_EQ(header["typ"], "at+jwt");
  EXPECT_EQ(header["alg"], "RS256");
  const auto claims = jwt_part(at, 1);
  EXPECT_EQ(claims["iss"], kIssuer);
  EXPECT_EQ(claims["sub"], client("svc").id);
  EXPECT_EQ(claims["client_id"], client("svc").id);
  EXPECT_EQ(claims["aud"], "https://api.example");
  EXPECT_EQ(claims["scope"], "read write");
  EXPECT_GE(claims["jti"].get<std::string>().size(), 22u);
  EXPECT_EQ(claims["exp"].get<long long>() - claims["iat"].get<long long>(), 600);
  EXPECT_TRUE(claims["gid"].is_string());

  // It verifies offline with the published JWKS, as a resource server would.
  const auto jwks_doc = get(port(), "/jwks");
  ASSERT_EQ(jwks_doc.status, 200);
  auto jwks = jose::Jwks::parse(jwks_doc.body);
  ASSERT_TRUE(jwks.ok());
  jose::ClaimPolicy policy;
  policy.issuer = std::string(kIssuer);
  policy.audiences = {"https://api.example"};
  policy.typ = "at+jwt";
  const std::array algs{jose::Alg::RS256};
  auto verified = jose::verify_jwt(at, *jwks, algs, policy, std::chrono::system_clock::now());
  EXPECT_TRUE(verified.ok()) << jose::to_string(verified.error());
}

TEST_F(TokenEndpoints, ClientCredentialsTokensShareTheStandingGrantButNotTheJti) {
  const auto a = token(form({{"grant_type", "client_credentials"}}), basic(client("svc")));
  const auto b =
      token(form({{"grant_type", "client_credentials"}, {"scope", "read"}}), basic(client("svc")));
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(b.json()["scope"], "read");
  const auto ca = jwt_part(a.json()["access_token"], 1);
  const auto cb = jwt_part(b.json()["access_token"], 1);
  EXPECT_EQ(ca["gid"], cb["gid"]);
  EXPECT_NE(ca["jti"], cb["jti"]);
  EXPECT_EQ(cb["scope"], "read");
  // No row per token: one standing grant for the client, whatever the traffic.
  EXPECT_EQ(suite_->database().scalar("SELECT count(*) FROM grants WHERE client_id = '" +
                                      client("svc").id + "'"),
            "1");
}

// UserInfo takes only tokens issued for Keyward itself (grants/userinfo.h): a token whose
// aud names only another resource server is invalid there (RFC 6750 §3.1), not merely
// short of the openid scope.
TEST_F(TokenEndpoints, Rfc6750_3_1_UserinfoRefusesATokenForAnotherResourceServer) {
  const auto r = token(form({{"grant_type", "client_credentials"}}), basic(client("svc")));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string access = r.json()["access_token"];
  ASSERT_EQ(jwt_part(access, 1)["aud"], "https://api.example");
  const auto info = get(port(), "/userinfo", "Authorization: Bearer " + access + "\r\n");
  EXPECT_EQ(info.status, 401) << info.body;
  EXPECT_EQ(info.json()["error"], "invalid_token");
  EXPECT_EQ(info.header("WWW-Authenticate"),
            "Bearer realm=\"keyward\", error=\"invalid_token\", error_description=\"the access "
            "token is invalid, expired or revoked\"");
}

TEST_F(TokenEndpoints, ClientSecretPostAuthenticates) {
  const auto r = token(form({{"grant_type", "client_credentials"},
                             {"client_id", client("svc-post").id},
                             {"client_secret", client("svc-post").secret}}),
                       "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(jwt_part(r.json()["access_token"], 1)["aud"], kIssuer);  // no audience registered
}

TEST_F(TokenEndpoints, InvalidScope) {
  expect_error(token(form({{"grant_type", "client_credentials"}, {"scope", "read admin"}}),
                     basic(client("svc"))),
               400, "invalid_scope", "scope exceeds what this client may request");
  expect_error(token(form({{"grant_type", "client_credentials"}, {"scope", "read  write"}}),
                     basic(client("svc"))),
               400, "invalid_scope", "scope is malformed (RFC 6749 §3.3)");
}

// --- client authentication (RFC 6749 §2.3, §5.2) ---

TEST_F(TokenEndpoints, InvalidClientWithBasicIs401WithChallenge) {
  const auto r =
      token(form({{"grant_type", "client_credentials"}}), basic(client("svc"), "not-the-secret"));
  expect_error(r, 401, "invalid_client", "client authentication failed");
  EXPECT_EQ(r.header("WWW-Authenticate"), "Basic realm=\"keyward\"");
  // An unknown client gets exactly the same answer.
  const auto unknown = token(form({{"grant_type", "client_credentials"}}),
                             basic(RegisteredClient{"no-such-client", "whatever"}));
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body, r.body);
  EXPECT_EQ(unknown.header("WWW-Authenticate"), "Basic realm=\"keyward\"");
}

TEST_F(TokenEndpoints, InvalidClientWithPostHasNoChallenge) {
  const auto r = token(form({{"grant_type", "client_credentials"},
                             {"client_id", client("svc-post").id},
                             {"client_secret", "wrong"}}),
                       "");
  expect_error(r, 401, "invalid_client", "client authentication failed");
  EXPECT_FALSE(r.header("WWW-Authenticate").has_value());
}

TEST_F(TokenEndpoints, NoClientAuthenticationIsInvalidClient) {
  const auto r = token(form({{"grant_type", "client_credentials"}}), "");
  expect_error(r, 401, "invalid_client",
               "no client authentication: use HTTP Basic, or client_id (and client_secret) in "
               "the body");
  EXPECT_FALSE(r.header("WWW-Authenticate").has_value());
}

TEST_F(TokenEndpoints, ConfidentialClientWithoutSecretIsInvalidClient) {
  const auto r =
      token(form({{"grant_type", "client_credentials"}, {"client_id", client("svc").id}}), "");
  expect_error(r, 401, "invalid_client", "client authentication failed");
}

TEST_F(TokenEndpoints, BothAuthenticationMethodsIsInvalidRequest) {
  expect_error(token(form({{"grant_type", "client_credentials"},
                           {"client_id", client("svc").id},
                           {"client_secret", client("svc").secret}}),
                     basic(client("svc"))),
               400, "invalid_request",
               "the client authenticated twice (HTTP Basic and client_secret): use one method");
}

TEST_F(TokenEndpoints, RegisteredMethodIsEnforced) {
  // svc registered client_secret_basic; the right secret in the body is still refused.
  const auto r = token(form({{"grant_type", "client_credentials"},
                             {"client_id", client("svc").id},
                             {"client_secret", client("svc").secret}}),
                       "");
  expect_error(r, 401, "invalid_client", "client must authenticate with client_secret_basic");
}

// --- request shape (RFC 6749 §3.2, §5.2) ---

TEST_F(TokenEndpoints, RepeatedParameterIsInvalidRequest) {
  expect_error(token("grant_type=client_credentials&scope=read&scope=write", basic(client("svc"))),
               400, "invalid_request", "parameter scope is repeated");
  expect_error(
      token("grant_type=client_credentials&grant_type=client_credentials", basic(client("svc"))),
      400, "invalid_request", "parameter grant_type is repeated");
}

TEST_F(TokenEndpoints, UnsupportedGrantType) {
  expect_error(token(form({{"grant_type", "urn:example:magic"}}), basic(client("svc"))), 400,
               "unsupported_grant_type", "this grant_type is not supported");
}

TEST_F(TokenEndpoints, MissingGrantType) {
  expect_error(token(form({{"scope", "read"}}), basic(client("svc"))), 400, "invalid_request",
               "grant_type is required");
}

TEST_F(TokenEndpoints, UnauthorizedClient) {
  expect_error(token(form({{"grant_type", "password"}, {"username", "alice"}, {"password", "x"}}),
                     basic(client("svc"))),
               400, "unauthorized_client", "this client may not use the password grant");
  // RFC 6749 §4.4: never for public clients.
  expect_error(
      token(form({{"grant_type", "client_credentials"}, {"client_id", client("public").id}}), ""),
      400, "unauthorized_client", "this client may not use the client_credentials grant");
}

TEST_F(TokenEndpoints, BodyMustBeForm) {
  const auto r = post(port(), "/token", R"({"grant_type":"client_credentials"})",
                      "application/json", basic(client("svc")));
  expect_error(r, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
  const auto charset =
      post(port(), "/token", "grant_type=client_credentials",
           "application/x-www-form-urlencoded; charset=UTF-8", basic(client("svc")));
  EXPECT_EQ(charset.status, 200) << charset.body;
}

TEST_F(TokenEndpoints, OnlyPost) {
  const auto r = get(port(), "/token");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "POST");
}

// --- password grant (RFC 6749 §4.3) ---

TEST_F(TokenEndpoints, PasswordGrantIssuesAccessAndRefreshToken) {
  const auto r = token(form({{"grant_type", "password"},
                             {"username", "alice"},
                             {"password", kPassword},
                             {"scope", "read profile"}}),
                       basic(client("app")) + from("192.0.2.1"));
  ASSERT_EQ(r.status, 200) << r.body;
  expect_no_store(r);
  const auto body = r.json();
  EXPECT_EQ(body["scope"], "profile read");
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 600);
  ASSERT_TRUE(body["refresh_token"].is_string());
  EXPECT_EQ(body["refresh_token"].get<std::string>().size(), 43u);  // 256 bits, base64url
  const auto claims = jwt_part(body["access_token"], 1);
  EXPECT_EQ(claims["sub"], user_id("alice"));
  EXPECT_EQ(claims["client_id"], client("app").id);
  EXPECT_EQ(claims["aud"], (json{"https://api.example", "https://other.example"}));
  EXPECT_EQ(claims["scope"], "profile read");
  // Stored as a digest only.
  EXPECT_EQ(suite_->database().scalar("SELECT count(*) FROM refresh_tokens WHERE token_hash = "
                                      "sha256(convert_to('" +
                                      body["refresh_token"].get<std::string>() + "', 'UTF8'))"),
            "1");
}

TEST_F(TokenEndpoints, PasswordGrantWithoutRefreshPermissionHasNoRefreshToken) {
  const auto body = password_grant("norefresh", "alice", "192.0.2.2");
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(body["scope"], "read");
}

TEST_F(TokenEndpoints, PublicClientUsesClientIdAlone) {
  const auto refresh_token = seed_public_refresh_token("public-alone");
  const auto r = token(form({{"grant_type", "refresh_token"},
                             {"client_id", client("public").id},
                             {"refresh_token", refresh_token}}),
                       "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().contains("refresh_token"));
}

// --- the password grant: off by default, first-party confidential clients only ---

TEST_F(TokenEndpoints, Rfc9700_2_4_PasswordGrantRefusedToAClientThatIsNotFirstParty) {
  expect_error(token(form({{"grant_type", "password"},
                           {"username", "alice"},
                           {"password", std::string(kPassword)}}),
                     basic(client("thirdparty")) + from("192.0.2.4")),
               400, "unauthorized_client",
               "the password grant is only for confidential first-party clients");
  // A public client cannot even be registered for it.
  const auto refused = run_keyward({"client", "create", "--name", "p", "--grant-types", "password",
                                    "--scopes", "read", "--public", "--first-party"},
                                   suite_->env());
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("a public client cannot use the password grant (RFC 9700 §2.4)"),
            std::string::npos)
      << refused.output;
}

TEST_F(TokenEndpoints, DiscoveryListsThePasswordGrantOnlyWhenItIsOn) {
  const auto on = get(port(), "/.well-known/openid-configuration");
  ASSERT_EQ(on.status, 200) << on.body;
  const auto listed = on.json()["grant_types_supported"];
  EXPECT_NE(std::find(listed.begin(), listed.end(), "password"), listed.end()) << on.body;
}

// The default: no KEYWARD_PASSWORD_GRANT. The same database, a second server.
TEST_F(TokenEndpoints, Rfc9700_2_4_PasswordGrantIsOffByDefault) {
  Env off = suite_->env();
  off["KEYWARD_PASSWORD_GRANT"] = "";
  ServerProcess server(off);
  for (int i = 0; i < 300 && get(server.port(), "/health/ready").status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto r =
      post(server.port(), "/token",
           form({{"grant_type", "password"},
                 {"username", "alice"},
                 {"password", std::string(kPassword)}}),
           "application/x-www-form-urlencoded", basic(client("app")) + from("192.0.2.5"));
  expect_error(r, 400, "unsupported_grant_type", "this grant_type is not supported");
  const auto discovery = get(server.port(), "/.well-known/openid-configuration");
  ASSERT_EQ(discovery.status, 200) << discovery.body;
  EXPECT_EQ(discovery.json()["grant_types_supported"],
            (json{"client_credentials", "refresh_token", "authorization_code"}));
  // Nothing was checked or counted for the user.
  EXPECT_EQ(
      suite_->database().scalar("SELECT count(*) FROM login_throttle WHERE key = 'ip:192.0.2.5'"),
      "0");
}

TEST_F(TokenEndpoints, BadUserCredentialsAreOneAnswer) {
  const auto wrong =
      token(form({{"grant_type", "password"}, {"username", "bob"}, {"password", "wrong"}}),
            basic(client("app")) + from("192.0.2.10"));
  expect_error(wrong, 400, "invalid_grant", "invalid username or password");
  const auto unknown =
      token(form({{"grant_type", "password"}, {"username", "nobody-here"}, {"password", "wrong"}}),
            basic(client("app")) + from("192.0.2.10"));
  expect_error(unknown, 400, "invalid_grant", "invalid username or password");
  // A disabled account, even with its right password, gets nothing and learns nothing.
  const auto disabled =
      token(form({{"grant_type", "password"}, {"username", "dave"}, {"password", kPassword}}),
            basic(client("app")) + from("192.0.2.10"));
  expect_error(disabled, 400, "invalid_grant", "invalid username or password");
}

TEST_F(TokenEndpoints, PasswordGrantMissingParameters) {
  expect_error(token(form({{"grant_type", "password"}, {"password", "x"}}), basic(client("app"))),
               400, "invalid_request", "username is required");
  // RFC 6749 §3.1: an empty parameter is an omitted one.
  expect_error(token(form({{"grant_type", "password"}, {"username", "alice"}, {"password", ""}}),
                     basic(client("app"))),
               400, "invalid_request", "password is required");
}

TEST_F(TokenEndpoints, ThrottledPasswordAttemptsCarryRetryAfterForKnownAndUnknownUsers) {
  for (const std::string user : {"tom", "unknown-tom"}) {
    const std::string address = user == "tom" ? "198.51.100.1" : "198.51.100.2";
    std::optional<Response> throttled;
    int attempt = 0;
    // Five free failures per account, then a growing back-off (grants/login_throttle.h).
    for (attempt = 1; attempt <= 8 && !throttled; ++attempt) {
      auto r = token(form({{"grant_type", "password"}, {"username", user}, {"password", "wrong"}}),
                     basic(client("app")) + from(address));
      ASSERT_EQ(r.status, 400) << r.body;
      if (r.json()["error_description"] != "invalid username or password") throttled = r;
    }
    ASSERT_TRUE(throttled.has_value()) << user;
    EXPECT_GE(attempt - 1, 6) << user;
    const std::string description = throttled->json()["error_description"];
    ASSERT_TRUE(throttled->header("Retry-After").has_value());
    const std::string seconds = *throttled->header("Retry-After");
    expect_error(*throttled, 400, "invalid_grant",
                 "too many failed attempts, retry after " + seconds + " seconds");
    EXPECT_GE(std::stoi(seconds), 1);
    if (user == "tom") {
      // The right password during the back-off is refused the same way.
      const auto right =
          token(form({{"grant_type", "password"}, {"username", "tom"}, {"password", kPassword}}),
                basic(client("app")) + from(address));
      EXPECT_EQ(right.status, 400);
      EXPECT_EQ(right.json()["error"], "invalid_grant");
      EXPECT_TRUE(right.header("Retry-After").has_value());
    }
  }
}

// --- refresh (RFC 6749 §6, RFC 9700 §4.14.2) ---

TEST_F(TokenEndpoints, RefreshRotatesAndMayNarrowScope) {
  const auto first = password_grant("app", "bob", "192.0.2.20");
  const auto r = refresh("app", first["refresh_token"], "read");
  ASSERT_EQ(r.status, 200) << r.body;
  expect_no_store(r);
  const auto body = r.json();
  EXPECT_EQ(body["scope"], "read");
  EXPECT_NE(body["refresh_token"], first["refresh_token"]);
  const auto claims = jwt_part(body["access_token"], 1);
  EXPECT_EQ(claims["sub"], user_id("bob"));
  EXPECT_EQ(claims["gid"], jwt_part(first["access_token"], 1)["gid"]);
  // The new refresh token keeps the grant's full scope: narrowing is per access token.
  const auto again = refresh("app", body["refresh_token"]);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["scope"], "profile read write");
}

TEST_F(TokenEndpoints, RefreshCannotWidenScope) {
  const auto first = password_grant("app", "bob", "192.0.2.21", "read");
  expect_error(refresh("app", first["refresh_token"], "read write"), 400, "invalid_scope",
               "scope exceeds what the refresh token was granted");
  // Refused requests rotate nothing: the token still works.
  EXPECT_EQ(refresh("app", first["refresh_token"]).status, 200);
}

TEST_F(TokenEndpoints, ReuseOfRotatedRefreshTokenRevokesTheWholeGrant) {
  const auto first = password_grant("app", "carol", "192.0.2.22");
  const auto second = refresh("app", first["refresh_token"]);
  ASSERT_EQ(second.status, 200);
  const auto third = refresh("app", second.json()["refresh_token"]);
  ASSERT_EQ(third.status, 200);
  EXPECT_EQ(introspect(third.json()["access_token"]).json()["active"], true);

  // The first token, already rotated, comes back: a thief or a confused client.
  expect_error(refresh("app", first["refresh_token"]), 400, "invalid_grant",
               "the refresh token was already used; its grant is revoked");
  // The newest refresh token is dead too...
  expect_error(refresh("app", third.json()["refresh_token"]), 400, "invalid_grant",
               "the refresh token is invalid, expired or revoked");
  // ...and every access token of the grant introspects as inactive.
  for (const auto& at :
       {first["access_token"], second.json()["access_token"], third.json()["access_token"]}) {
    const auto r = introspect(at);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.json(), kInactive);
    expect_no_store(r);
  }
  EXPECT_EQ(introspect(third.json()["refresh_token"], client("app")).json(), kInactive);
}

// KEYWARD_REFRESH_REUSE_GRACE (default 10 s): a retry of a refresh whose answer was lost.
TEST_F(TokenEndpoints, RefreshRetryWithinTheGraceWindowGetsTheSameRefreshToken) {
  const auto first = password_grant("app", "erin", "192.0.2.24");
  const auto lost = refresh("app", first["refresh_token"]);
  ASSERT_EQ(lost.status, 200) << lost.body;
  const auto retry = refresh("app", first["refresh_token"]);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.json()["refresh_token"], lost.json()["refresh_token"]);
  EXPECT_EQ(introspect(retry.json()["access_token"]).json()["active"], true);
  EXPECT_EQ(introspect(first["access_token"]).json()["active"], true);
  // Once the successor is used, the old token is reuse again.
  ASSERT_EQ(refresh("app", retry.json()["refresh_token"]).status, 200);
  expect_error(refresh("app", first["refresh_token"]), 400, "invalid_grant",
               "the refresh token was already used; its grant is revoked");
  EXPECT_EQ(introspect(retry.json()["access_token"]).json(), kInactive);
}

// KEYWARD_REFRESH_REUSE_GRACE=0: the first retry already revokes. A second server on the
// same database, with the window off.
TEST_F(TokenEndpoints, RefreshRetryWithoutGraceRevokesTheGrant) {
  Env strict = suite_->env();
  strict["KEYWARD_REFRESH_REUSE_GRACE"] = "0";
  ServerProcess server(strict);
  for (int i = 0; i < 300 && get(server.port(), "/health/ready").status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto first = password_grant("app", "erin", "192.0.2.25");
  auto strict_refresh = [&](const std::string& refresh_token) {
    return post(server.port(), "/token",
                form({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}}),
                "application/x-www-form-urlencoded", basic(client("app")));
  };
  const auto lost = strict_refresh(first["refresh_token"]);
  ASSERT_EQ(lost.status, 200) << lost.body;
  expect_error(strict_refresh(first["refresh_token"]), 400, "invalid_grant",
               "the refresh token was already used; its grant is revoked");
  EXPECT_EQ(introspect(lost.json()["access_token"]).json(), kInactive);
}

TEST_F(TokenEndpoints, BadRefreshTokens) {
  expect_error(refresh("app", "garbage"), 400, "invalid_grant",
               "the refresh token is invalid, expired or revoked");
  // Bound to its client (RFC 6749 §10.4): another client cannot use it, or burn it.
  const auto mine = password_grant("app", "alice", "192.0.2.23");
  expect_error(refresh("app2", mine["refresh_token"]), 400, "invalid_grant",
               "the refresh token is invalid, expired or revoked");
  EXPECT_EQ(refresh("app", mine["refresh_token"]).status, 200);
  expect_error(token(form({{"grant_type", "refresh_token"}}), basic(client("app"))), 400,
               "invalid_request", "refresh_token is required");
}

// --- introspection (RFC 7662) ---

TEST_F(TokenEndpoints, IntrospectionOfLiveTokens) {
  const auto granted = password_grant("app", "erin", "192.0.2.30", "read write");
  const auto r = introspect(granted["access_token"]);
  ASSERT_EQ(r.status, 200) << r.body;
  expect_no_store(r);
  const auto claims = jwt_part(granted["access_token"], 1);
  EXPECT_EQ(r.json(), (json{{"active", true},
                            {"scope", "read write"},
                            {"client_id", client("app").id},
                            {"sub", user_id("erin")},
                            {"aud", claims["aud"]},
                            {"iss", kIssuer},
                            {"exp", claims["exp"]},
                            {"iat", claims["iat"]},
                            {"jti", claims["jti"]},
                            {"token_type", "Bearer"}}));
  // A refresh token is answered about only to its own client.
  const auto rt = introspect(granted["refresh_token"], client("app"));
  ASSERT_EQ(rt.status, 200);
  const auto doc = rt.json();
  EXPECT_EQ(doc["active"], true);
  EXPECT_EQ(doc["token_type"], "refresh_token");
  EXPECT_EQ(doc["client_id"], client("app").id);
  EXPECT_EQ(doc["sub"], user_id("erin"));
  EXPECT_EQ(doc["scope"], "read write");
  EXPECT_EQ(doc["iss"], kIssuer);
  EXPECT_GT(doc["exp"].get<long long>(), claims["exp"].get<long long>());
}

// RFC 7662 §2.1 leaves it to the server which callers may learn about which tokens; §4
// lets it answer inactive to a caller that is not authorized to know about a token. Ours:
// an access token is answered about to a client allowed to introspect (--introspect) or
// to one its aud names; a refresh token only to the client it was issued to. Anybody else
// gets exactly {"active": false}, as for a dead token.
TEST_F(TokenEndpoints, IntrospectionOnlyForClientsAllowedToIntrospect) {
  register_client("api", {"--grant-types", "client_credentials", "--scopes", "read"});
  register_client("api-caller", {"--grant-types", "client_credentials", "--scopes", "read",
                                 "--audience", client("api").id});
  const auto granted = password_grant("app", "tom", "192.0.2.31", "read");
  const std::string access = granted["access_token"];
  const std::string refresh_token = granted["refresh_token"];
  // A confidential client without the permission, not in the token's aud.
  for (const char* caller : {"svc", "api", "app2"}) {
    const auto r = introspect(access, client(caller));
    EXPECT_EQ(r.status, 200) << caller;
    EXPECT_EQ(r.json(), kInactive) << caller;
    expect_no_store(r);
  }
  EXPECT_EQ(introspect(access, client("rs")).json()["active"], true);
  // The token's own client may not either, unless it has the permission.
  EXPECT_EQ(introspect(access, client("app")).json(), kInactive);

  // An audience match: the resource server named in the token's aud.
  const auto for_api =
      token(form({{"grant_type", "client_credentials"}}), basic(client("api-caller")))
          .json()["access_token"]
          .get<std::string>();
  EXPECT_EQ(jwt_part(for_api, 1)["aud"], client("api").id);
  EXPECT_EQ(introspect(for_api, client("api")).json()["active"], true);
  EXPECT_EQ(introspect(for_api, client("svc")).json(), kInactive);
  EXPECT_EQ(introspect(for_api, client("rs")).json()["active"], true);

  // A refresh token belongs to its client: nobody else learns about it, not even a
  // client allowed to introspect access tokens.
  for (const char* caller : {"rs", "app2", "api"}) {
    EXPECT_EQ(introspect(refresh_token, client(caller)).json(), kInactive) << caller;
  }
  EXPECT_EQ(introspect(refresh_token, client("app")).json()["active"], true);
  // Asking about it changed nothing: it still refreshes.
  EXPECT_EQ(refresh("app", refresh_token).status, 200);
}

TEST_F(TokenEndpoints, IntrospectionOfGarbageAndForeignTokensIsExactlyInactive) {
  const auto at = token(form({{"grant_type", "client_credentials"}}), basic(client("svc")))
                      .json()["access_token"]
                      .get<std::string>();
  // A signature that does not verify: one character of the signature changed.
  std::string tampered = at;
  char& c = tampered[tampered.size() - 20];
  c = c == 'A' ? 'B' : 'A';
  for (const std::string& t :
       {std::string("garbage"), std::string("a.b.c"), tampered, std::string(43, 'x')}) {
    const auto r = introspect(t);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.json(), kInactive) << t;
    expect_no_store(r);
  }
}

TEST_F(TokenEndpoints, IntrospectionRequiresConfidentialClient) {
  const auto none =
      post(port(), "/introspect", form({{"token", "x"}}), "application/x-www-form-urlencoded", "");
  expect_error(none, 401, "invalid_client",
               "no client authentication: use HTTP Basic, or client_id (and client_secret) in "
               "the body");
  const auto wrong = post(port(), "/introspect", form({{"token", "x"}}),
                          "application/x-www-form-urlencoded", basic(client("rs"), "wrong"));
  expect_error(wrong, 401, "invalid_client", "client authentication failed");
  EXPECT_EQ(wrong.header("WWW-Authenticate"), "Basic realm=\"keyward\"");
  const auto pub =
      post(port(), "/introspect", form({{"token", "x"}, {"client_id", client("public").id}}),
           "application/x-www-form-urlencoded", "");
  expect_error(pub, 401, "invalid_client", "introspection requires client authentication");
  expect_error(
      post(port(), "/introspect", "", "application/x-www-form-urlencoded", basic(client("rs"))),
      400, "invalid_request", "token is required");
  expect_error(post(port(), "/introspect", "token=a&token=b", "application/x-www-form-urlencoded",
                    basic(client("rs"))),
               400, "invalid_request", "parameter token is repeated");
}

// --- revocation (RFC 7009) ---

TEST_F(TokenEndpoints, RevokingAnAccessTokenKillsOnlyThatToken) {
  const auto a = token(form({{"grant_type", "client_credentials"}}), basic(client("svc")));
  const auto b = token(form({{"grant_type", "client_credentials"}}), basic(client("svc")));
  const auto r = revoke(a.json()["access_token"], client("svc"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  expect_no_store(r);
  EXPECT_EQ(introspect(a.json()["access_token"]).json(), kInactive);
  EXPECT_EQ(introspect(b.json()["access_token"]).json()["active"], true);
  // Again: still fine.
  EXPECT_EQ(revoke(a.json()["access_token"], client("svc")).status, 200);
}

TEST_F(TokenEndpoints, RevokingARefreshTokenRevokesItsGrant) {
  const auto granted = password_grant("app", "alice", "192.0.2.40");
  EXPECT_EQ(revoke(granted["refresh_token"], client("app")).status, 200);
  EXPECT_EQ(introspect(granted["access_token"]).json(), kInactive);
  EXPECT_EQ(introspect(granted["refresh_token"]).json(), kInactive);
  expect_error(refresh("app", granted["refresh_token"]), 400, "invalid_grant",
               "the refresh token is invalid, expired or revoked");
}

TEST_F(TokenEndpoints, RevocationOfUnknownTokensSucceeds) {
  for (const std::string& t :
       {std::string("garbage"), std::string(43, 'y'), std::string("a.b.c")}) {
    const auto r = revoke(t, client("app"));
    EXPECT_EQ(r.status, 200) << t;
    EXPECT_EQ(r.body, "");
  }
}

TEST_F(TokenEndpoints, RevocationOfAnotherClientsTokenIsRefused) {
  const auto granted = password_grant("app", "alice", "192.0.2.41");
  expect_error(revoke(granted["refresh_token"], client("app2")), 400, "unauthorized_client",
               "the token was not issued to this client");
  expect_error(revoke(granted["access_token"], client("app2")), 400, "unauthorized_client",
               "the token was not issued to this client");
  EXPECT_EQ(introspect(granted["access_token"]).json()["active"], true);
}

TEST_F(TokenEndpoints, RevocationErrors) {
  expect_error(post(port(), "/revoke", form({{"token", "x"}}), "application/x-www-form-urlencoded",
                    basic(client("app"), "wrong")),
               401, "invalid_client", "client authentication failed");
  expect_error(
      post(port(), "/revoke", "", "application/x-www-form-urlencoded", basic(client("app"))), 400,
      "invalid_request", "token is required");
  // RFC 7009 §2.1: a public client revokes its own tokens with client_id alone.
  const auto r = token(form({{"grant_type", "refresh_token"},
                             {"client_id", client("public").id},
                             {"refresh_token", seed_public_refresh_token("public-revokes")}}),
                       "");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto revoked = post(port(), "/revoke",
                            form({{"token", r.json()["refresh_token"].get<std::string>()},
                                  {"client_id", client("public").id}}),
                            "application/x-www-form-urlencoded", "");
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(introspect(r.json()["access_token"]).json(), kInactive);
}

// --- housekeeping ---

TEST_F(TokenEndpoints, JanitorCommandRunsOnceAndPrintsCounts) {
  const auto granted = password_grant("app", "alice", "192.0.2.50");
  ASSERT_EQ(revoke(granted["refresh_token"], client("app")).status, 200);
  const auto r = run_keyward({"janitor"}, suite_->env());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("grants "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("total "), std::string::npos) << r.output;
  EXPECT_EQ(suite_->database().scalar("SELECT count(*) FROM grants WHERE revoked_at IS NOT NULL"),
            "0");
  const auto extra = run_keyward({"janitor", "now"}, suite_->env());
  EXPECT_EQ(extra.exit_code, 2);
}

// --- hostile bytes: NUL and invalid UTF-8 are refused at the edge, before any lookup ---

// libpq ends a string at NUL: "<id>%00" used to authenticate as <id>, and the client
// cache kept the NUL-cut key, so the old secret outlived a rotation.
TEST_F(TokenEndpoints, NulInAnIdentifierIsInvalidRequestNotTruncated) {
  const auto& c = client("svc-post");
  expect_error(token("grant_type=client_credentials&client_id=" + http::form_urlencode(c.id) +
                         "%00&client_secret=" + http::form_urlencode(c.secret),
                     ""),
               400, "invalid_request", "malformed form body: a parameter contains NUL");
  expect_error(
      token("grant_type=password&username=alice%00&password=" + http::form_urlencode(kPassword),
            basic(client("app")) + from("192.0.2.60")),
      400, "invalid_request", "malformed form body: a parameter contains NUL");
  // Inside HTTP Basic (RFC 6749 §2.3.1 form-encodes the id before base64).
  const auto basic_nul = token(
      form({{"grant_type", "client_credentials"}}),
      "Authorization: Basic " +
          base64(http::form_urlencode(c.id) + "%00:" + http::form_urlencode(c.secret)) + "\r\n");
  expect_error(basic_nul, 401, "invalid_client", "malformed HTTP Basic credentials");
}

// PostgreSQL refuses invalid UTF-8 (SQLSTATE 22021); that used to surface as a 500.
TEST_F(TokenEndpoints, InvalidUtf8InAnIdentifierIsInvalidRequestNot500) {
  expect_error(token("grant_type=client_credentials&client_id=%FF%FE&client_secret=x", ""), 400,
               "invalid_request", "malformed form body: a parameter is not UTF-8");
  expect_error(token("grant_type=password&username=caf%E9&password=x",
                     basic(client("app")) + from("192.0.2.61")),
               400, "invalid_request", "malformed form body: a parameter is not UTF-8");
  // Raw (unencoded) bytes are no different from encoded ones.
  expect_error(token("grant_type=client_credentials&client_id=\xC3\x28&client_secret=x", ""), 400,
               "invalid_request", "malformed form body: a parameter is not UTF-8");
  const auto basic_latin1 = token(form({{"grant_type", "client_credentials"}}),
                                  "Authorization: Basic " + base64("caf\xE9:secret") + "\r\n");
  expect_error(basic_latin1, 401, "invalid_client", "malformed HTTP Basic credentials");
  // A control character is valid UTF-8 but no identifier: the same answer as any unknown
  // client or user, and no lookup.
  expect_error(token(form({{"grant_type", "client_credentials"},
                           {"client_id", "svc\x01"},
                           {"client_secret", "x"}}),
                     ""),
               401, "invalid_client", "client authentication failed");
  expect_error(
      token(form({{"grant_type", "password"}, {"username", "al\x7Fice"}, {"password", "x"}}),
            basic(client("app")) + from("192.0.2.62")),
      400, "invalid_grant", "invalid username or password");
}

// At most 100 parameters are read; more is refused before anything else happens.
TEST_F(TokenEndpoints, TooManyParametersIsInvalidRequest) {
  std::string body = form({{"grant_type", "client_credentials"}});
  for (int i = 0; i < 100; ++i) body += "&x" + std::to_string(i) + "=1";
  expect_error(token(body, basic(client("svc"))), 400, "invalid_request",
               "malformed form body: too many parameters (at most 100)");
}

}  // namespace
}  // namespace keyward::test
