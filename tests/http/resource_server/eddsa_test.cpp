// EdDSA (Ed25519, RFC 8037) end to end over loopback: the real `keyward serve` rotated with
// `keyward keys rotate --alg EdDSA`, then a client-credentials token checked against the
// published OKP JWK with OpenSSL directly (not our jose/), introspection, the real
// keyward-sample-rs, and an ID token from the browser code flow.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <thread>

#include "common/base64url.h"
#include "common/crypto.h"
#include "grants/id_token.h"
#include "grants/pkce.h"
#include "jose/alg.h"
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
constexpr std::string_view kRedirect = "https://spa.example/callback";

struct JwsParts {
  json header;
  json claims;
  std::string signing_input;  // header.payload, as sent
  std::string signature;      // decoded
};

JwsParts split(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    throw std::runtime_error("not a JWS: " + token);
  }
  JwsParts p;
  p.header = json::parse(base64url_decode(token.substr(0, first)).value());
  p.claims = json::parse(base64url_decode(token.substr(first + 1, second - first - 1)).value());
  p.signing_input = token.substr(0, second);
  p.signature = base64url_decode(token.substr(second + 1)).value();
  return p;
}

// RFC 8037 §3.1 with OpenSSL alone: the JWK's raw 32-byte x as an Ed25519 public key, and
// one-shot EVP_DigestVerify (no digest: Ed25519 hashes internally).
bool openssl_ed25519_verify(const json& jwk, const std::string& signing_input,
                            const std::string& signature) {
  const std::string x = base64url_decode(jwk.at("x").get<std::string>()).value();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(x.data()), x.size()),
      EVP_PKEY_free);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

class EdDsaSigning : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestDatabase::cluster_conninfo()) {
      GTEST_SKIP() << "set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)";
    }
    db_ = std::make_unique<TestDatabase>();
    const uint16_t port = free_port();
    issuer_ = "http://127.0.0.1:" + std::to_string(port);
    env_ = {{"KEYWARD_DATABASE_URL", db_->conninfo()},
            {"KEYWARD_MASTER_KEY", std::string(kMasterKey)},
            {"KEYWARD_ISSUER", issuer_},
            {"KEYWARD_LISTEN", "127.0.0.1:" + std::to_string(port)},
            // The new key signs 2 s after `keys rotate`.
            {"KEYWARD_KEY_PUBLICATION_DELAY", "2"},
            {"KEYWARD_ARGON2_MEMORY_KIB", "7168"},
            {"KEYWARD_ARGON2_ITERATIONS", "5"}};
    service_ = create_client("Service",
                             {"--grant-types", "client_credentials", "--scopes", "api:read",
                              "--audience", std::string(kAudience)},
                             env_);
    introspector_ = create_client(
        "RS", {"--grant-types", "client_credentials", "--scopes", "introspect", "--introspect"},
        env_);
    spa_ = create_client("SPA",
                         {"--grant-types", "authorization_code", "--scopes", "openid profile",
                          "--public", "--first-party", "--redirect-uri", std::string(kRedirect)},
                         env_);
    auto database = db_->open();
    user_id_ = insert_user(
        database, storage::NewUser{"ed", std::nullopt, std::nullopt, std::nullopt, ""}, kPassword);
    keyward_ = std::make_unique<ServerProcess>(env_);
    ASSERT_EQ(poll(
                  port, "/health/ready", [](const Response& r) { return r.status == 200; }, 15s)
                  .status,
              200)
        << keyward_->output();
  }

  uint16_t port() const { return keyward_->port(); }

  std::string client_token() const {
    const auto r = post(port(), "/token", form({{"grant_type", "client_credentials"}}),
                        "application/x-www-form-urlencoded",
                        basic_authorization(service_.id, service_.secret));
    if (r.status != 200) throw std::runtime_error("POST /token: " + r.body);
    return r.json()["access_token"];
  }

  // `keyward keys rotate --alg EdDSA`, then client-credentials tokens until one is signed by
  // the new key (the publication delay is 2 s). Its kid.
  std::string rotate_to_eddsa() {
    const auto rotated = run_keyward({"keys", "rotate", "--alg", "EdDSA"}, env_);
    EXPECT_EQ(rotated.exit_code, 0) << rotated.output;
    if (!rotated.output.starts_with("kid ")) return "";
    const std::string kid = rotated.output.substr(4, rotated.output.find('\n') - 4);
    for (int i = 0; i < 100; ++i) {
      if (split(client_token()).header.value("kid", "") == kid) return kid;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "the EdDSA key " << kid << " never signed\n" << keyward_->output();
    return "";
  }

  std::unique_ptr<TestDatabase> db_;
  std::string issuer_;
  Env env_;
  RegisteredClient service_, introspector_, spa_;
  std::string user_id_;
  std::unique_ptr<ServerProcess> keyward_;
};

TEST_F(EdDsaSigning, RotatedEdDsaKeyIsPublishedAsOkpAndSignsVerifiableAccessTokens) {
  const std::string kid = rotate_to_eddsa();
  ASSERT_FALSE(kid.empty());

  // The JWKS has the OKP key with its public members only (RFC 8037 §2).
  const auto jwks = get(port(), "/jwks");
  ASSERT_EQ(jwks.status, 200) << jwks.body;
  const json published = jwks.json();  // named: a temporary's ["keys"] would dangle
  json okp;
  for (const auto& k : published["keys"]) {
    if (k["kid"] == kid) okp = k;
  }
  ASSERT_TRUE(okp.is_object()) << jwks.body;
  EXPECT_EQ(okp, (json{{"kty", "OKP"},
                       {"crv", "Ed25519"},
                       {"x", okp["x"]},
                       {"kid", kid},
                       {"alg", "EdDSA"},
                       {"use", "sig"}}));
  EXPECT_EQ(base64url_decode(okp["x"].get<std::string>()).value_or("").size(), 32u);
  EXPECT_FALSE(okp.contains("d"));
  EXPECT_EQ(jwks.body.find("\"d\""), std::string::npos) << jwks.body;
  // Stored: the algorithm, and the private key only sealed (never the clear PKCS#8 DER,
  // which for Ed25519 is 48 bytes; sealed it carries a 12-byte nonce and a 16-byte tag).
  EXPECT_EQ(db_->scalar("SELECT alg FROM signing_keys WHERE kid = '" + kid + "'"), "EdDSA");
  EXPECT_EQ(db_->scalar("SELECT octet_length(private_key_sealed) FROM signing_keys WHERE kid = '" +
                        kid + "'"),
            "76");

  // Discovery names EdDSA for ID tokens.
  const auto discovery = get(port(), "/.well-known/openid-configuration").json();
  const auto& algs = discovery["id_token_signing_alg_values_supported"];
  EXPECT_NE(std::find(algs.begin(), algs.end(), "EdDSA"), algs.end()) << algs.dump();

  // An RFC 9068 access token signed by it, checked with OpenSSL against the published x.
  const std::string token = client_token();
  const JwsParts parts = split(token);
  EXPECT_EQ(parts.header, (json{{"alg", "EdDSA"}, {"kid", kid}, {"typ", "at+jwt"}}));
  EXPECT_EQ(parts.claims["iss"], issuer_);
  EXPECT_EQ(parts.claims["aud"], std::string(kAudience));
  EXPECT_EQ(parts.signature.size(), 64u);
  EXPECT_TRUE(openssl_ed25519_verify(okp, parts.signing_input, parts.signature));
  // The check can fail: one flipped bit of the signature, or of the signed bytes, does.
  std::string tampered = parts.signature;
  tampered[10] ^= 0x01;
  EXPECT_FALSE(openssl_ed25519_verify(okp, parts.signing_input, tampered));
  std::string other_input = parts.signing_input;
  other_input[other_input.size() - 1] ^= 0x01;
  EXPECT_FALSE(openssl_ed25519_verify(okp, other_input, parts.signature));

  // Keyward verifies its own EdDSA token at introspection.
  const auto active =
      post(port(), "/introspect", form({{"token", token}}), "application/x-www-form-urlencoded",
           basic_authorization(introspector_.id, introspector_.secret));
  ASSERT_EQ(active.status, 200) << active.body;
  EXPECT_EQ(active.json()["active"], true) << active.body;
  EXPECT_EQ(active.json()["client_id"], service_.id);
  // A forged one (signature altered) is inactive.
  const auto forged =
      post(port(), "/introspect",
           form({{"token", parts.signing_input + "." + base64url_encode(tampered)}}),
           "application/x-www-form-urlencoded",
           basic_authorization(introspector_.id, introspector_.secret));
  ASSERT_EQ(forged.status, 200) << forged.body;
  EXPECT_EQ(forged.json(), (json{{"active", false}}));

  // The sample resource server, with its default algorithms, accepts it.
  RsProcess rs({{"KEYWARD_RS_ISSUER", issuer_}, {"KEYWARD_RS_DATABASE_URL", db_->conninfo()}});
  const auto me = get(rs.port(), "/api/me", "Authorization: Bearer " + token + "\r\n");
  ASSERT_EQ(me.status, 200) << me.body << "\n" << rs.output();
  EXPECT_EQ(me.json()["sub"], service_.id);
  // Configured without EdDSA, it refuses the same token.
  RsProcess strict({{"KEYWARD_RS_ISSUER", issuer_},
                    {"KEYWARD_RS_DATABASE_URL", db_->conninfo()},
                    {"KEYWARD_RS_ALGORITHMS", "RS256,ES256"}});
  EXPECT_EQ(get(strict.port(), "/api/me", "Authorization: Bearer " + token + "\r\n").status, 401);
}

TEST_F(EdDsaSigning, CodeFlowIdTokenIsSignedWithEdDsaAndItsAccessTokenServesUserinfo) {
  const std::string kid = rotate_to_eddsa();
  ASSERT_FALSE(kid.empty());

  const std::string verifier = random_token(48);
  Browser b(port(), "10.0.9.5");
  Response r =
      b.get("/authorize?" + encode({{"client_id", spa_.id},
                                    {"redirect_uri", std::string(kRedirect)},
                                    {"response_type", "code"},
                                    {"scope", "openid profile"},
                                    {"state", "s1"},
                                    {"nonce", "n1"},
                                    {"code_challenge", grants::pkce_s256_challenge(verifier)},
                                    {"code_challenge_method", "S256"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  Params login = hidden_fields(r.body);
  login.emplace_back("username", "ed");
  login.emplace_back("password", std::string(kPassword));
  const Response back = b.post("/login", login);
  ASSERT_EQ(back.status, 303) << back.body;
  const Response done = b.follow(back);  // first-party: no consent page
  const auto q = query_of(done.header("Location").value_or(""));
  ASSERT_EQ(q.count("code"), 1u) << done.status_line << done.body;

  const Response t = post(port(), "/token",
                          encode({{"grant_type", "authorization_code"},
                                  {"code", q.at("code")},
                                  {"redirect_uri", std::string(kRedirect)},
                                  {"code_verifier", verifier},
                                  {"client_id", spa_.id}}));
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string id_token = t.json()["id_token"];
  const std::string access_token = t.json()["access_token"];
  const JwsParts id = split(id_token);
  EXPECT_EQ(id.header["alg"], "EdDSA");
  EXPECT_EQ(id.header["kid"], kid);
  EXPECT_EQ(id.claims["sub"], user_id_);
  EXPECT_EQ(id.claims["aud"], spa_.id);
  EXPECT_EQ(id.claims["nonce"], "n1");
  // OIDC Core §3.1.3.6 for EdDSA over Ed25519: the left half of SHA-512.
  EXPECT_EQ(id.claims["at_hash"], grants::at_hash(access_token, jose::Alg::EdDSA));
  EXPECT_EQ(id.claims["at_hash"].get<std::string>().size(), 43u);  // 32 bytes
  const json published = get(port(), "/jwks").json();
  json okp;
  for (const auto& k : published["keys"]) {
    if (k["kid"] == kid) okp = k;
  }
  ASSERT_TRUE(okp.is_object()) << published.dump();
  EXPECT_TRUE(openssl_ed25519_verify(okp, id.signing_input, id.signature));
  EXPECT_EQ(split(access_token).header["alg"], "EdDSA");

  // /userinfo verifies the EdDSA access token.
  const Response info = get(port(), "/userinfo", "Authorization: Bearer " + access_token + "\r\n");
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json()["sub"], user_id_);
}

TEST_F(EdDsaSigning, AdminAndCliNameEdDsaAmongTheAlgorithms) {
  const auto bad = run_keyward({"keys", "rotate", "--alg", "Ed448"}, env_);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--alg must be RS256, ES256 or EdDSA (got 'Ed448')"), std::string::npos)
      << bad.output;
  const auto listed = run_keyward({"keys", "list", "--json"}, env_);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(json::parse(listed.output).size(), 1u) << "a refused rotation creates nothing";
}

}  // namespace
}  // namespace keyward::test
