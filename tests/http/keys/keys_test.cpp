// GET /jwks and the two discovery documents of a real `keyward serve` over loopback, on a
// database of the test's own; and `keyward keys` against the same database.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "jose/jwks.h"
#include "jose/verify.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Deliberately odd (a port and a path) so that any rewriting of it shows.
const std::string kIssuer = "http://localhost:18080/kw";
// The same master key for the server and the CLI (otherwise each would make a development
// key of its own, and neither could open the other's keys).
const std::string kMasterKey = "4242424242424242424242424242424242424242424242424242424242424242";
const char* const kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

Response wait_ready(uint16_t port) {
  return poll(
      port, "/health/ready", [](const Response& r) { return r.status == 200; }, seconds(20));
}

class KeysHttp : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
  }
  Env env(Env extra = {}) {
    Env e{{"KEYWARD_DATABASE_URL", db().conninfo()},
          {"KEYWARD_ISSUER", kIssuer},
          {"KEYWARD_MASTER_KEY", kMasterKey}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }
};

TEST_F(KeysHttp, ReadyOnceTheFirstKeyIsLoaded) {
  ServerProcess server(env());
  const auto r = wait_ready(server.port());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), (nlohmann::json{{"status", "ready"}}));
  bool loaded = false;
  for (const auto& l : server.log_lines())
    loaded = loaded || l.value("msg", "") == "signing keys loaded";
  EXPECT_TRUE(loaded) << server.output();
  EXPECT_EQ(db().scalar("SELECT count(*) FROM signing_keys WHERE state = 'active'"), "1");
}

TEST_F(KeysHttp, JwksHeadersAndPublicBody) {
  // keyward-test-server: GET /__test/sign gives a token signed with the active key.
  ServerProcess server(env(), seconds(20), Binary::TestServer);
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  const auto r = get(server.port(), "/jwks");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/jwk-set+json");
  // Default publication delay 3600 s: min(300, 3600 / 2).
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=300");
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "*");

  const auto doc = r.json();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.size(), 1u) << "only \"keys\"";
  ASSERT_TRUE(doc["keys"].is_array());
  ASSERT_EQ(doc["keys"].size(), 1u);
  for (const auto& k : doc["keys"]) {
    EXPECT_EQ(k["kty"], "RSA");
    EXPECT_EQ(k["alg"], "RS256");
    EXPECT_EQ(k["use"], "sig");
    ASSERT_TRUE(k["kid"].is_string());
    EXPECT_EQ(k.size(), 6u) << "kty, n, e, kid, alg, use and nothing else: " << k.dump();
    for (const char* m : kPrivateMembers) EXPECT_FALSE(k.contains(m)) << m;
  }
  // Nowhere in the body, nested or not.
  for (const char* m : kPrivateMembers) {
    EXPECT_EQ(r.body.find("\"" + std::string(m) + "\""), std::string::npos) << m;
  }
  // Our own strict parser takes it, and the kid is the RFC 7638 thumbprint.
  auto jwks = jose::Jwks::parse(r.body);
  ASSERT_TRUE(jwks.ok());
  ASSERT_EQ(jwks->keys().size(), 1u);
  EXPECT_EQ(jwks->keys()[0].kid(), jwks->keys()[0].thumbprint());
  EXPECT_EQ(db().scalar("SELECT kid FROM signing_keys"), jwks->keys()[0].kid());

  // A token the server signs verifies against what it publishes.
  const auto signed_r = get(server.port(), "/__test/sign?aud=api");
  ASSERT_EQ(signed_r.status, 200) << signed_r.body;
  jose::ClaimPolicy policy;
  policy.issuer = kIssuer;
  policy.audiences = {"api"};
  policy.typ = "at+jwt";
  const jose::Alg allowed[] = {jose::Alg::RS256};
  auto verified = jose::verify_jwt(signed_r.json()["access_token"].get<std::string>(), jwks.value(),
                                   allowed, policy, std::chrono::system_clock::now());
  ASSERT_TRUE(verified.ok()) << jose::to_string(verified.error());
  EXPECT_EQ(verified->header().kid(), jwks->keys()[0].kid());
}

TEST_F(KeysHttp, JwksAndDiscoveryRevalidateWithTheirEntityTagUntilTheKeysChange) {
  ServerProcess server(env());
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  const auto jwks = get(server.port(), "/jwks");
  const auto discovery = get(server.port(), "/.well-known/openid-configuration");
  ASSERT_EQ(jwks.status, 200) << jwks.body;
  const std::string tag = jwks.header("ETag").value_or("");
  const std::string discovery_tag = discovery.header("ETag").value_or("");
  // Strong (no W/), quoted, one per document, the same on the next request.
  ASSERT_GT(tag.size(), 2u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_NE(tag, discovery_tag);
  EXPECT_EQ(get(server.port(), "/jwks").header("ETag").value_or(""), tag);

  // The cache's copy is current: 304, no body, the validator and the caching headers.
  const auto not_modified = get(server.port(), "/jwks", "If-None-Match: " + tag + "\r\n");
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty()) << not_modified.body;
  EXPECT_EQ(not_modified.header("ETag"), tag);
  EXPECT_EQ(not_modified.header("Cache-Control"), "public, max-age=300");
  EXPECT_EQ(not_modified.header("Access-Control-Allow-Origin"), "*");
  // In a list, weak or not (If-None-Match compares weakly), and "*".
  EXPECT_EQ(get(server.port(), "/jwks", "If-None-Match: \"x\", W/" + tag + "\r\n").status, 304);
  EXPECT_EQ(get(server.port(), "/jwks", "If-None-Match: *\r\n").status, 304);
  EXPECT_EQ(get(server.port(), "/.well-known/openid-configuration",
                "If-None-Match: " + discovery_tag + "\r\n")
                .status,
            304);
  // Another document's tag, or a stale one, gets the document.
  const auto other = get(server.port(), "/jwks", "If-None-Match: " + discovery_tag + "\r\n");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, jwks.body);

  // A new key changes the document and so its tag: the old tag no longer matches.
  ASSERT_EQ(run_keyward({"keys", "rotate", "--alg", "ES256"}, env()).exit_code, 0);
  const auto rotated = poll(
      server.port(), "/jwks", [&](const Response& r) { return r.body != jwks.body; }, seconds(5));
  ASSERT_NE(rotated.body, jwks.body) << "the new key was not published within 5 s";
  EXPECT_NE(rotated.header("ETag"), tag);
  const auto stale = get(server.port(), "/jwks", "If-None-Match: " + tag + "\r\n");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body, rotated.body);
  const std::string new_tag = rotated.header("ETag").value_or("");
  EXPECT_EQ(get(server.port(), "/jwks", "If-None-Match: " + new_tag + "\r\n").status, 304);
}

TEST_F(KeysHttp, JwksMaxAgeIsShorterThanThePublicationDelay) {
  ServerProcess server(env({{"KEYWARD_KEY_PUBLICATION_DELAY", "120"}}));
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  EXPECT_EQ(get(server.port(), "/jwks").header("Cache-Control"), "public, max-age=60");
}

TEST_F(KeysHttp, OnlyGetIsAllowed) {
  ServerProcess server(env());
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  for (const char* path :
       {"/jwks", "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
    const auto r = post(server.port(), path, "a=b");
    EXPECT_EQ(r.status, 405) << path;
    EXPECT_EQ(r.header("Allow"), "GET") << path;
  }
}

TEST_F(KeysHttp, DiscoveryDocumentsCarryTheExactIssuerAndEveryRequiredField) {
  // keyward-test-server: GET /__test/sign gives a token signed with the active key.
  ServerProcess server(env(), seconds(20), Binary::TestServer);
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  const auto oidc = get(server.port(), "/.well-known/openid-configuration");
  const auto oauth = get(server.port(), "/.well-known/oauth-authorization-server");
  ASSERT_EQ(oidc.status, 200) << oidc.body;
  ASSERT_EQ(oauth.status, 200) << oauth.body;
  for (const auto* r : {&oidc, &oauth}) {
    EXPECT_EQ(r->header("Content-Type"), "application/json");
    EXPECT_EQ(r->header("Cache-Control"), "public, max-age=300");
    EXPECT_EQ(r->header("Access-Control-Allow-Origin"), "*");
  }
  // Both documents agree, byte for byte.
  EXPECT_EQ(oidc.body, oauth.body);
  // The issuer appears in the raw bytes exactly as configured (no escaped slashes).
  EXPECT_NE(oidc.body.find("\"issuer\":\"" + kIssuer + "\""), std::string::npos) << oidc.body;

  const auto doc = oidc.json();
  EXPECT_EQ(doc["issuer"], kIssuer);
  // OIDC Discovery 1.0 §3 REQUIRED, RFC 8414 §2 REQUIRED, and the endpoints Keyward serves.
  const std::map<std::string, std::string> endpoints = {
      {"authorization_endpoint", "/authorize"},  {"token_endpoint", "/token"},
      {"userinfo_endpoint", "/userinfo"},        {"jwks_uri", "/jwks"},
      {"introspection_endpoint", "/introspect"}, {"revocation_endpoint", "/revoke"},
      {"end_session_endpoint", "/logout"}};
  for (const auto& [name, path] : endpoints) {
    EXPECT_EQ(doc.value(name, ""), kIssuer + path) << name;
  }
  EXPECT_EQ(doc["response_types_supported"], nlohmann::json::array({"code"}));
  EXPECT_EQ(doc["subject_types_supported"], nlohmann::json::array({"public"}));
  EXPECT_EQ(doc["id_token_signing_alg_values_supported"], nlohmann::json::array({"RS256"}));
  EXPECT_EQ(doc["code_challenge_methods_supported"], nlohmann::json::array({"S256"}));
  EXPECT_EQ(doc["token_endpoint_auth_methods_supported"],
            nlohmann::json::array({"client_secret_basic", "client_secret_post", "none"}));
  EXPECT_EQ(doc["introspection_endpoint_auth_methods_supported"],
            nlohmann::json::array({"client_secret_basic", "client_secret_post"}));
  EXPECT_EQ(doc["revocation_endpoint_auth_methods_supported"],
            nlohmann::json::array({"client_secret_basic", "client_secret_post", "none"}));
  EXPECT_EQ(doc["authorization_response_iss_parameter_supported"], true);
  EXPECT_EQ(doc["request_uri_parameter_supported"], false);
  EXPECT_EQ(doc["response_modes_supported"], nlohmann::json::array({"query"}));
  ASSERT_TRUE(doc["grant_types_supported"].is_array());
  for (const auto& g : doc["grant_types_supported"]) EXPECT_TRUE(g.is_string());
  ASSERT_TRUE(doc["scopes_supported"].is_array());
  EXPECT_NE(std::find(doc["scopes_supported"].begin(), doc["scopes_supported"].end(), "openid"),
            doc["scopes_supported"].end());
  ASSERT_TRUE(doc["claims_supported"].is_array());
  EXPECT_NE(std::find(doc["claims_supported"].begin(), doc["claims_supported"].end(), "sub"),
            doc["claims_supported"].end());

  // jwks_uri, fetched here by its path, serves the keys; tokens carry the same issuer.
  EXPECT_EQ(get(server.port(), "/jwks").status, 200);
  const auto token = get(server.port(), "/__test/sign");
  ASSERT_EQ(token.status, 200);
  auto jwt = jose::Jwt::parse(token.json()["access_token"].get<std::string>());
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(jwt->claims()["iss"], kIssuer);
}

TEST_F(KeysHttp, UnmigratedDatabaseIsNotReadyUntilMigratedWithoutRestart) {
  db().exec("SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  ServerProcess server(env());
  const auto r = get(server.port(), "/health/ready");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.json(), (nlohmann::json{{"status", "unavailable"}}));
  bool logged = false;
  for (int i = 0; i < 100 && !logged; ++i) {
    for (const auto& l : server.log_lines()) {
      logged = logged || (l.value("msg", "") == "not ready" &&
                          l.value("reason", "") == "signing keys not loaded");
    }
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(logged) << server.output();
  const auto jwks = get(server.port(), "/jwks");
  EXPECT_EQ(jwks.status, 503);
  EXPECT_EQ(jwks.json()["error"], "temporarily_unavailable");
  EXPECT_EQ(get(server.port(), "/.well-known/openid-configuration").status, 503);

  const auto migrated = run_keyward({"migrate"}, env());
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  EXPECT_EQ(wait_ready(server.port()).status, 200) << server.output();
  EXPECT_EQ(get(server.port(), "/jwks").status, 200);
}

TEST_F(KeysHttp, KeysRotateIsPublishedByTheRunningServerWithinFiveSeconds) {
  // keyward-test-server: GET /__test/sign gives a token signed with the active key.
  ServerProcess server(env(), seconds(20), Binary::TestServer);
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  const auto before = get(server.port(), "/jwks").json();
  ASSERT_EQ(before["keys"].size(), 1u);
  const std::string old_kid = before["keys"][0]["kid"];

  const auto rotated = run_keyward({"keys", "rotate", "--alg", "ES256"}, env());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  // "kid <kid>" on the first line.
  ASSERT_TRUE(rotated.output.starts_with("kid ")) << rotated.output;
  const std::string new_kid = rotated.output.substr(4, rotated.output.find('\n') - 4);
  EXPECT_NE(rotated.output.find("state next: published now, signing from "), std::string::npos)
      << rotated.output;
  const auto t0 = std::chrono::steady_clock::now();
  const auto after = poll(
      server.port(), "/jwks",
      [&](const Response& r) { return r.body.find(new_kid) != std::string::npos; }, seconds(5));
  ASSERT_NE(after.body.find(new_kid), std::string::npos) << "not published within 5 s";
  std::fprintf(
      stderr, "[ timing ] /jwks served the new kid %.0f ms after `keys rotate` exited\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  const auto doc = after.json();
  std::set<std::string> kids;
  for (const auto& k : doc["keys"]) kids.insert(k["kid"]);
  EXPECT_EQ(kids, (std::set<std::string>{old_kid, new_kid}));
  // Published, not yet signing (the delay is 3600 s); discovery names the coming algorithm.
  const auto token = get(server.port(), "/__test/sign");
  EXPECT_EQ(token.json()["kid"], old_kid);
  EXPECT_EQ(get(server.port(), "/.well-known/openid-configuration")
                .json()["id_token_signing_alg_values_supported"],
            nlohmann::json::array({"RS256", "ES256"}));

  // A second rotation of the same algorithm while one waits creates nothing.
  const auto again = run_keyward({"keys", "rotate", "--alg", "ES256"}, env());
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("already published and waiting: " + new_kid), std::string::npos)
      << again.output;

  const auto listed = run_keyward({"keys", "list", "--json"}, env());
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const auto rows = nlohmann::json::parse(listed.output);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["kid"], old_kid);
  EXPECT_EQ(rows[0]["state"], "active");
  EXPECT_EQ(rows[1]["kid"], new_kid);
  EXPECT_EQ(rows[1]["alg"], "ES256");
  EXPECT_EQ(rows[1]["state"], "next");
  for (const auto& row : rows) {
    for (const char* field : {"kid", "alg", "state", "created", "activates", "retires"}) {
      EXPECT_TRUE(row.contains(field)) << field;
    }
  }
  const auto table = run_keyward({"keys", "list"}, env());
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_TRUE(table.output.starts_with("KID")) << table.output;
  EXPECT_NE(table.output.find(new_kid), std::string::npos);
}

TEST_F(KeysHttp, KeysRotateRefusesAnotherMasterKey) {
  ServerProcess server(env());
  ASSERT_EQ(wait_ready(server.port()).status, 200);
  const auto kid = db().scalar("SELECT kid FROM signing_keys");
  const auto r =
      run_keyward({"keys", "rotate"}, env({{"KEYWARD_MASTER_KEY", std::string(64, 'a')}}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("keyward keys: KEYWARD_MASTER_KEY does not open the active key " +
                          kid.value_or("?")),
            std::string::npos)
      << r.output;
  EXPECT_EQ(db().scalar("SELECT count(*) FROM signing_keys"), "1");
}

TEST_F(KeysHttp, KeysCommandUsageErrors) {
  const auto bad_alg = run_keyward({"keys", "rotate", "--alg", "HS256"}, env());
  EXPECT_EQ(bad_alg.exit_code, 2);
  EXPECT_NE(bad_alg.output.find("--alg must be RS256, ES256 or EdDSA (got 'HS256')"),
            std::string::npos)
      << bad_alg.output;
  const auto unknown = run_keyward({"keys", "frobnicate"}, env());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown subcommand 'frobnicate'"), std::string::npos);
  const auto none = run_keyward({"keys"}, env());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.output.find("usage: keyward keys list"), std::string::npos);
}

}  // namespace
}  // namespace keyward::test
