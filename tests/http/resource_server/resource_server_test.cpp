// Black-box tests of keyward-sample-rs over loopback: the real `keyward serve` on its
// own migrated database issues tokens through POST /token, the real resource server verifies
// them against keyward's JWKS found through discovery. Forged tokens are signed with keyward's
// own active key (opened from the database with the master key) or with keys of our own.
// Every refusal asserts the exact status, WWW-Authenticate and body (RFC 6750 §3).
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <map>
#include <set>
#include <thread>

#include "common/base64url.h"
#include "common/crypto.h"
#include "jose/jwk.h"
#include "jose/jwt.h"
#include "keys/key_store.h"
#include "server/config.h"
#include "storage/database.h"
#include "storage/key_repository.h"
#include "storage/user_repository.h"
#include "tests/http/resource_server/rs_process.h"
#include "tests/http/support/browser.h"
#include "tests/http/support/clients.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kMasterKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kAudience = "keyward-sample-rs";
constexpr std::string_view kRealm = "keyward-sample-rs";

using Client = RegisteredClient;

std::string bearer(const std::string& token) {
  return "Authorization: Bearer " + token + "\r\n";
}

std::string challenge(std::string_view error, std::string_view description,
                      std::string_view scope = {}) {
  std::string out = "Bearer realm=\"" + std::string(kRealm) + "\"";
  if (!error.empty()) out += ", error=\"" + std::string(error) + "\"";
  if (!description.empty()) out += ", error_description=\"" + std::string(description) + "\"";
  if (!scope.empty()) out += ", scope=\"" + std::string(scope) + "\"";
  return out;
}

void expect_invalid_token(const Response& r, std::string_view description) {
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate"), challenge("invalid_token", description));
  EXPECT_EQ(r.json(), (json{{"error", "invalid_token"}, {"error_description", description}}));
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

// keyward with a database, clients and a user; the resource server in front of its JWKS.
class Stack {
 public:
  explicit Stack(Env rs_env = {}) {
    db_ = std::make_unique<TestDatabase>();
    port_ = free_port();
    issuer_ = "http://127.0.0.1:" + std::to_string(port_);
    kw_env_ = {{"KEYWARD_DATABASE_URL", db_->conninfo()},
               {"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
               {"KEYWARD_ISSUER", issuer_},
               {"KEYWARD_LISTEN", "127.0.0.1:" + std::to_string(port_)},
               {"KEYWARD_KEY_PUBLICATION_DELAY", "2"},
               {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
               {"KEYWARD_ARGON2_ITERATIONS", "5"},
               // The demo client signs its user in with the password grant, off by default.
               {"KEYWARD_PASSWORD_GRANT", "true"}};
    register_client("demo", {"--grant-types", "client_credentials,password,refresh_token",
                             "--scopes", "openid profile email api:read", "--audience",
                             std::string(kAudience), "--first-party"});
    register_client("writer", {"--grant-types", "client_credentials", "--scopes",
                               "api:read api:write", "--audience", std::string(kAudience)});
    register_client("elsewhere", {"--grant-types", "client_credentials", "--scopes", "api:read",
                                  "--audience", "https://other.example"});
    register_client("noscope", {"--grant-types", "client_credentials", "--scopes", "profile",
                                "--audience", std::string(kAudience)});
    auto database = db_->open();
    user_id_ = insert_user(database,
                           storage::NewUser{"demo", std::nullopt, std::nullopt, std::nullopt, ""},
                           kPassword);

    start_keyward();
    Env env = {{"KEYWARD_RS_ISSUER", issuer_},
               {"KEYWARD_RS_DATABASE_URL", db_->conninfo()},
               {"KEYWARD_RS_JWKS_REFETCH_INTERVAL", "1"},
               {"KEYWARD_RS_JWKS_RETRY_INTERVAL", "1"}};
    for (const auto& [k, v] : rs_env) env[k] = v;
    rs_ = std::make_unique<RsProcess>(env);
  }

  void start_keyward() {
    keyward_ = std::make_unique<ServerProcess>(kw_env_);
    const auto ready = poll(
        keyward_->port(), "/health/ready", [](const Response& r) { return r.status == 200; }, 15s);
    if (ready.status == 200) return;
    throw std::runtime_error("keyward not ready:\n" + keyward_->output());
  }
  void stop_keyward() { keyward_.reset(); }

  [[nodiscard]] uint16_t rs_port() const { return rs_->port(); }
  [[nodiscard]] const RsProcess& rs() const { return *rs_; }
  [[nodiscard]] const std::string& issuer() const { return issuer_; }
  [[nodiscard]] const std::string& user_id() const { return user_id_; }
  [[nodiscard]] const Client& client(const std::string& name) const { return clients_.at(name); }
  [[nodiscard]] const Env& keyward_env() const { return kw_env_; }

  // POST /token with client_secret_basic; the parsed answer.
  json token(const std::string& client, std::string body) const {
    const Client& c = clients_.at(client);
    const auto r = post(keyward_->port(), "/token", body, "application/x-www-form-urlencoded",
                        basic_authorization(c.id, c.secret));
    if (r.status != 200) throw std::runtime_error("POST /token: " + r.body);
    return r.json();
  }
  std::string password_token(std::string scope = "api:read") const {
    return token("demo", form({{"grant_type", "password"},
                               {"username", "demo"},
                               {"password", kPassword},
                               {"scope", scope}}))["access_token"];
  }
  std::string client_token(const std::string& client) const {
    return token(client, form({{"grant_type", "client_credentials"}}))["access_token"];
  }

  // keyward's active signing key, opened from the database as keyward does.
  std::pair<jose::PrivateKey, std::string> active_key() const {
    auto database = storage::Database::open(db_->conninfo());
    if (!database.ok()) throw std::runtime_error(database.error());
    storage::KeyRepository repo(*database);
    auto keys = repo.list();
    if (!keys.ok()) throw std::runtime_error(keys.error().message);
    const auto kek = keys::key_encryption_key(*server::parse_master_key(kMasterKey));
    for (const auto& record : *keys) {
      if (record.state != storage::KeyState::Active) continue;
      auto key = keys::open_private_key(kek, record);
      if (!key.ok()) throw std::runtime_error(key.error());
      return {std::move(key).value(), record.kid};
    }
    throw std::runtime_error("no active key");
  }

  // RFC 9068 claims as keyward would issue them, to be changed by each test.
  json claims() const {
    const long long now = unix_seconds(std::chrono::system_clock::now());
    return {{"iss", issuer_},
            {"sub", user_id_},
            {"aud", std::string(kAudience)},
            {"client_id", clients_.at("demo").id},
            {"scope", "api:read"},
            {"jti", to_hex(random_bytes(16))},
            {"iat", now},
            {"exp", now + 600}};
  }
  std::string sign_with_keyward_key(const json& claims, std::string typ = "at+jwt") const {
    auto [key, kid] = active_key();
    return jose::sign_jwt(jose::JwtHeaderParams{kid, std::move(typ)}, claims, key, key.alg());
  }

 private:
  void register_client(const std::string& name, const std::vector<std::string>& args) {
    clients_[name] = create_client(name, args, kw_env_);
  }

  std::unique_ptr<TestDatabase> db_;
  uint16_t port_ = 0;
  std::string issuer_;
  std::string user_id_;
  Env kw_env_;
  std::map<std::string, Client> clients_;
  std::unique_ptr<ServerProcess> keyward_;
  std::unique_ptr<RsProcess> rs_;
};

class SampleResourceServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!TestDatabase::cluster_conninfo()) return;
    try {
      stack_ = new Stack();
    } catch (const std::exception& e) {
      setup_error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }
  void SetUp() override {
    if (setup_error_ != nullptr) FAIL() << "cannot start the stack: " << *setup_error_;
    if (stack_ == nullptr) GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
  }
  static Stack* stack_;
  static std::string* setup_error_;
};
Stack* SampleResourceServer::stack_ = nullptr;
std::string* SampleResourceServer::setup_error_ = nullptr;

TEST_F(SampleResourceServer, ValidPasswordGrantTokenReadsIdentityAndOwnData) {
  const std::string token = stack_->password_token("openid api:read");
  auto me = get(stack_->rs_port(), "/api/me", bearer(token));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.header("Cache-Control"), "no-store");
  EXPECT_FALSE(me.header("WWW-Authenticate").has_value());
  json doc = me.json();
  EXPECT_EQ(doc["sub"], stack_->user_id());
  EXPECT_EQ(doc["client_id"], stack_->client("demo").id);
  // Keyward may order the granted scopes its own way.
  EXPECT_EQ(doc["scope"].get<std::set<std::string>>(),
            (std::set<std::string>{"openid", "api:read"}));
  EXPECT_EQ(doc["aud"], json::array({kAudience}));
  EXPECT_EQ(doc["note"], nullptr);

  // The service's own data: the note is kept per sub in its own schema.
  Connection c(stack_->rs_port());
  const std::string body = R"({"note":"remember the milk"})";
  auto put =
      c.request("PUT /api/me/note HTTP/1.1\r\nHost: x\r\n" + bearer(token) +
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["note"]["text"], "remember the milk");
  me = get(stack_->rs_port(), "/api/me", bearer(token));
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["note"]["text"], "remember the milk");

  auto board = get(stack_->rs_port(), "/api/board", bearer(token));
  ASSERT_EQ(board.status, 200) << board.body;
  EXPECT_EQ(board.json()["message"], "Welcome to the sample resource server.");
}

TEST_F(SampleResourceServer, ClientCredentialsTokenIsAcceptedWithTheClientAsSubject) {
  auto me = get(stack_->rs_port(), "/api/me", bearer(stack_->client_token("demo")));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["sub"], stack_->client("demo").id);
}

TEST_F(SampleResourceServer, Rfc6750_3_NoTokenIs401WithoutAnErrorAttribute) {
  for (const std::string extra : {"", "Authorization: Basic dXNlcjpwYXNz\r\n"}) {
    auto r = get(stack_->rs_port(), "/api/me", extra);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"keyward-sample-rs\"");
    EXPECT_EQ(r.json(), (json{{"error_description", "this resource needs a Bearer access token"}}));
  }
}

TEST_F(SampleResourceServer, Rfc6750_3_1_MalformedRequestIs400InvalidRequest) {
  auto r = get(stack_->rs_port(), "/api/me?access_token=abc");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate"),
            challenge("invalid_request",
                      "send the access token in the Authorization header, not in the URL"));
  r = get(stack_->rs_port(), "/api/me", "Authorization: Bearer a b\r\n");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"], "invalid_request");
}

TEST_F(SampleResourceServer, Rfc6750_3_1_BadTokensAre401InvalidToken) {
  const json good = stack_->claims();
  auto [key, kid] = stack_->active_key();
  const std::string real = stack_->password_token();

  // alg none, kid of the real key.
  const std::string none =
      base64url_encode(json{{"alg", "none"}, {"typ", "at+jwt"}, {"kid", kid}}.dump()) + "." +
      base64url_encode(good.dump()) + ".";
  expect_invalid_token(get(stack_->rs_port(), "/api/me", bearer(none)),
                       "the access token is signed with an algorithm that is not accepted");

  // HS256 keyed with the issuer's public key (algorithm confusion, RFC 8725 §2.1).
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key.public_key().evp());
  char* pem_data = nullptr;
  const std::string pem(pem_data, static_cast<size_t>(BIO_get_mem_data(bio, &pem_data)));
  BIO_free(bio);
  const std::string hs_input =
      base64url_encode(json{{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", kid}}.dump()) + "." +
      base64url_encode(good.dump());
  const std::string hs256 = hs_input + "." + base64url_encode(hmac_sha256(pem, hs_input));
  expect_invalid_token(get(stack_->rs_port(), "/api/me", bearer(hs256)),
                       "the access token is signed with an algorithm that is not accepted");

  // A real token whose payload was changed (scope widened).
  json widened = jwt_claims(real);
  widened["scope"] = "api:read api:write";
  const std::string tampered = with_jwt_claims(real, widened);
  expect_invalid_token(get(stack_->rs_port(), "/api/me", bearer(tampered)),
                       "the access token's signature is invalid");

  // A key keyward never published.
  const auto stranger = jose::PrivateKey::generate(jose::Alg::RS256);
  const std::string unknown = jose::sign_jwt(jose::JwtHeaderParams{"not-a-keyward-kid", "at+jwt"},
                                             good, stranger, jose::Alg::RS256);
  expect_invalid_token(get(stack_->rs_port(), "/api/me", bearer(unknown)),
                       "the access token is signed by an unknown key");

  // Signed by keyward's own key, but expired / foreign issuer / foreign audience.
  json expired = good;
  expired["iat"] = good["iat"].get<long long>() - 7200;
  expired["exp"] = good["iat"].get<long long>() - 3600;
  expect_invalid_token(
      get(stack_->rs_port(), "/api/me", bearer(stack_->sign_with_keyward_key(expired))),
      "the access token expired");
  json foreign = good;
  foreign["iss"] = "https://evil.example";
  expect_invalid_token(
      get(stack_->rs_port(), "/api/me", bearer(stack_->sign_with_keyward_key(foreign))),
      "the access token is from another issuer");
  // A real token keyward issued for another audience.
  expect_invalid_token(get(stack_->rs_port(), "/api/me", bearer(stack_->client_token("elsewhere"))),
                       "the access token is not meant for this resource server");

  // An ID token (OIDC Core §2: typ JWT, aud the client, nonce) signed by keyward's key.
  const long long now = good["iat"];
  const json id_token = {{"iss", stack_->issuer()},
                         {"sub", stack_->user_id()},
                         {"aud", std::string(kAudience)},
                         {"azp", stack_->client("demo").id},
                         {"iat", now},
                         {"exp", now + 600},
                         {"auth_time", now},
                         {"nonce", "n-0S6_WzA2Mj"}};
  expect_invalid_token(
      get(stack_->rs_port(), "/api/me", bearer(stack_->sign_with_keyward_key(id_token, "JWT"))),
      "the token is not an access token (typ must be at+jwt)");

  // Garbage.
  expect_invalid_token(get(stack_->rs_port(), "/api/me", bearer("abc.def")),
                       "the access token is malformed");

  // And the real token still works: none of the above poisoned a cache.
  EXPECT_EQ(get(stack_->rs_port(), "/api/me", bearer(real)).status, 200);
}

TEST_F(SampleResourceServer, Rfc6750_3_1_MissingScopeIs403InsufficientScope) {
  auto r = get(stack_->rs_port(), "/api/me", bearer(stack_->client_token("noscope")));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.header("WWW-Authenticate"),
            challenge("insufficient_scope", "the access token does not grant the scope api:read",
                      "api:read"));
  EXPECT_EQ(r.json(),
            (json{{"error", "insufficient_scope"},
                  {"error_description", "the access token does not grant the scope api:read"},
                  {"scope", "api:read"}}));

  // The demo client cannot get api:write; the write route says so.
  const std::string body = R"({"message":"hello"})";
  const std::string put_board =
      "PUT /api/board HTTP/1.1\r\nHost: x\r\n" + bearer(stack_->password_token()) +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  Connection c(stack_->rs_port());
  auto denied = c.request(put_board);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.header("WWW-Authenticate"),
            challenge("insufficient_scope", "the access token does not grant the scope api:write",
                      "api:write"));

  // A client that has api:write may.
  const std::string writer = stack_->client_token("writer");
  Connection c2(stack_->rs_port());
  auto allowed = c2.request("PUT /api/board HTTP/1.1\r\nHost: x\r\n" + bearer(writer) +
                            "Content-Type: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_EQ(allowed.json()["message"], "hello");
  EXPECT_EQ(allowed.json()["updated_by"], stack_->client("writer").id);
}

TEST_F(SampleResourceServer, KeyRotationIsPickedUpWithoutARestart) {
  const auto [old_key, old_kid] = stack_->active_key();
  const std::string before = stack_->password_token();
  ASSERT_EQ(get(stack_->rs_port(), "/api/me", bearer(before)).status, 200);
  const size_t fetches_before = stack_->rs().lines_with("jwks fetched").size();

  const auto rotated = run_keyward({"keys", "rotate"}, stack_->keyward_env());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  // KEYWARD_KEY_PUBLICATION_DELAY is 2 s: wait until keyward signs with the new key.
  std::string after;
  for (int i = 0; i < 100; ++i) {
    after = stack_->password_token();
    if (jose::Jwt::parse(after)->header().kid() != old_kid) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_NE(jose::Jwt::parse(after)->header().kid(), old_kid) << "keyward never rotated";
  auto r = get(stack_->rs_port(), "/api/me", bearer(after));
  EXPECT_EQ(r.status, 200) << r.body << "\n" << stack_->rs().output();
  // Picked up by a refetch, not a restart (the JWKS would otherwise be fresh for 30 s).
  EXPECT_GT(stack_->rs().lines_with("jwks fetched").size(), fetches_before);
  // The token of the retired key still verifies until it expires.
  EXPECT_EQ(get(stack_->rs_port(), "/api/me", bearer(before)).status, 200);
}

// Its own stack: this test stops keyward.
class SampleResourceServerIssuerDown : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestDatabase::cluster_conninfo()) {
      GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    }
  }
};

TEST_F(SampleResourceServerIssuerDown, ValidTokensKeepWorkingFromTheJwksCache) {
  // keyward's JWKS max-age is 1 s here (publication delay 2 s); the RS keeps keys at least 1 s,
  // and its verified-token cache is off, so every request below is a real verification with
  // the cached (then stale) JWKS.
  Stack stack({{"KEYWARD_RS_JWKS_MIN_TTL", "1"}, {"KEYWARD_RS_TOKEN_CACHE_SIZE", "0"}});
  const std::string token = stack.password_token();
  ASSERT_EQ(get(stack.rs_port(), "/api/me", bearer(token)).status, 200);
  stack.stop_keyward();
  std::this_thread::sleep_for(1500ms);  // the JWKS is now past its max-age
  for (int i = 0; i < 3; ++i) {
    auto r = get(stack.rs_port(), "/api/me", bearer(token));
    EXPECT_EQ(r.status, 200) << r.body;
    std::this_thread::sleep_for(600ms);
  }
  // The RS did try keyward, and said it is serving stale keys.
  EXPECT_FALSE(stack.rs().lines_with("jwks fetch failed").empty()) << stack.rs().output();
  EXPECT_FALSE(stack.rs().lines_with("jwks stale").empty()) << stack.rs().output();
  // A token it has never seen, signed by the same (cached) key, verifies too.
  EXPECT_EQ(
      get(stack.rs_port(), "/api/me", bearer(stack.sign_with_keyward_key(stack.claims()))).status,
      200);
}

}  // namespace
}  // namespace keyward::test
