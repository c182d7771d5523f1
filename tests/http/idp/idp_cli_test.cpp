// `keyward idp ...` over the real binary, on a database of the test's own, with a real
// upstream provider on loopback for the discovery check: the secret goes in through stdin
// and is stored sealed (never in clear, never printed), and every bad registration is
// refused with the reason and nothing stored.
#include <gtest/gtest.h>

#include "federation/provider_secret.h"
#include "tests/http/support/cli_run.h"
#include "tests/http/support/upstream_provider.h"
#include "tests/integration/support/test_database.h"

namespace keyward::test {
namespace {

const std::string kMasterKeyHex(64, '7');
const std::string kMasterKey(32, '\x77');
const std::string kSecret = "GOCSPX-upstream-secret-42";
const std::string kIssuer = "https://id.example.com";

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

class IdpCli : public DatabaseTest {
 protected:
  Env env() {
    return {{"KEYWARD_DATABASE_URL", db().conninfo()},
            {"KEYWARD_MASTER_KEY", kMasterKeyHex},
            {"KEYWARD_ISSUER", kIssuer}};
  }
  CliRun run(const std::vector<std::string>& args, const std::string& input = {}) {
    return run_cli(args, env(), input);
  }
  std::vector<std::string> add_args(const std::string& name, const std::string& issuer) {
    return {"idp",
            "add",
            "--name",
            name,
            "--issuer",
            issuer,
            "--client-id",
            "keyward-client",
            "--client-secret-stdin"};
  }
  // Exit 2 with exactly this line on stderr, nothing on stdout, nothing stored.
  void expect_refused(const std::vector<std::string>& args, const std::string& message,
                      const std::string& input = kSecret + "\n") {
    const auto r = run(args, input);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, message + "\n");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(providers(), "0");
  }
  std::string providers() {
    return db().scalar("SELECT count(*) FROM identity_providers").value_or("");
  }

  UpstreamProvider upstream_;
};

TEST_F(IdpCli, AddChecksDiscoveryStoresTheSecretSealedAndPrintsTheRedirectUri) {
  auto args = add_args("corp", upstream_.issuer());
  args.insert(args.end(), {"--button-label", "Corp SSO"});
  const auto r = run(args, kSecret + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "registered identity provider 'corp' (issuer " + upstream_.issuer() +
                       ")\nregister this redirect URI at the provider: " + kIssuer +
                       "/federation/callback\n");
  EXPECT_EQ(upstream_.discovery_requests(), 1);

  const auto row = db().query(
      "SELECT issuer, client_id, array_to_string(scopes, ' '), button_label,"
      " encode(client_secret_sealed, 'hex') FROM identity_providers WHERE name = 'corp'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0], upstream_.issuer());
  EXPECT_EQ(row[0][1], "keyward-client");
  EXPECT_EQ(row[0][2], "openid email profile");  // the default
  EXPECT_EQ(row[0][3], "Corp SSO");
  // Sealed under the master key for this name; the trailing newline from stdin dropped.
  const std::string sealed = from_hex(*row[0][4]);
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);
  const auto key = federation::provider_secret_key(kMasterKey);
  EXPECT_EQ(federation::open_provider_secret(key, "corp", sealed), kSecret);
  EXPECT_FALSE(federation::open_provider_secret(key, "other", sealed));

  // show and list, as text and JSON, never print the secret.
  for (const auto& words :
       std::vector<std::vector<std::string>>{{"idp", "list"},
                                             {"idp", "list", "--json"},
                                             {"idp", "show", "corp"},
                                             {"idp", "show", "corp", "--json"}}) {
    const auto shown = run(words);
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_EQ(shown.out.find(kSecret), std::string::npos) << shown.out;
    EXPECT_EQ(shown.out.find(*row[0][4]), std::string::npos);
    EXPECT_NE(shown.out.find(upstream_.issuer()), std::string::npos) << shown.out;
  }
  const auto shown = run({"idp", "show", "corp", "--json"}).json_out();
  EXPECT_EQ(shown.at("name"), "corp");
  EXPECT_EQ(shown.at("client_id"), "keyward-client");
  EXPECT_EQ(shown.at("scopes"), "openid email profile");
  EXPECT_EQ(shown.at("button_label"), "Corp SSO");
  EXPECT_EQ(shown.at("redirect_uri"), kIssuer + "/federation/callback");
  EXPECT_FALSE(shown.contains("client_secret"));
  const auto listed = run({"idp", "list", "--json"}).json_out();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], shown);
}

TEST_F(IdpCli, ScopesAndTheDefaultLabel) {
  auto args = add_args("google", upstream_.issuer());
  args.insert(args.end(), {"--scopes", "openid email"});
  ASSERT_EQ(run(args, kSecret).exit_code, 0);
  EXPECT_EQ(db().scalar("SELECT button_label FROM identity_providers"), "Google");
  EXPECT_EQ(db().scalar("SELECT array_to_string(scopes, ' ') FROM identity_providers"),
            "openid email");
}

TEST_F(IdpCli, BadRegistrationsAreRefusedWithTheReason) {
  const std::string p = "keyward idp add: ";
  expect_refused(add_args("Google", upstream_.issuer()),
                 p + "'Google' is not a provider name: 1 to 32 of a-z, 0-9 and '-', starting "
                     "with a letter or digit");
  expect_refused(add_args("google", "http://accounts.google.com"),
                 p + "the issuer must use https (plain http only for 127.0.0.1, [::1] or "
                     "localhost)");
  expect_refused(add_args("google", "https://accounts.google.com?x=1"),
                 p + "the issuer must not contain userinfo, a query or a fragment (OIDC "
                     "Discovery 1.0 §3)");
  auto no_openid = add_args("google", upstream_.issuer());
  no_openid.insert(no_openid.end(), {"--scopes", "email profile"});
  expect_refused(no_openid,
                 p + "the scopes must include openid (without it the upstream sends no ID token)");
  auto no_stdin = add_args("google", upstream_.issuer());
  no_stdin.pop_back();
  expect_refused(no_stdin, p + "--client-secret-stdin is required (the client secret is read "
                               "from standard input)");
  expect_refused(add_args("google", upstream_.issuer()),
                 p + "the client secret from stdin is empty", "\n");
  // Never on the command line, where the process list shows it.
  auto in_argv = add_args("google", upstream_.issuer());
  in_argv.back() = "--client-secret=" + kSecret;
  expect_refused(in_argv, p + "unknown option '--client-secret'");
  expect_refused({"idp", "add", "--issuer", upstream_.issuer()}, p + "--name is required");
  auto long_label = add_args("google", upstream_.issuer());
  long_label.insert(long_label.end(), {"--button-label", std::string(65, 'x')});
  expect_refused(long_label, p + "the button label must be 1 to 64 characters long");
  EXPECT_EQ(upstream_.discovery_requests(), 0);  // refused before any network
}

TEST_F(IdpCli, ATakenNameIsRefusedAndTheFirstKept) {
  ASSERT_EQ(run(add_args("corp", upstream_.issuer()), kSecret).exit_code, 0);
  const auto again = run(add_args("corp", upstream_.issuer()), "another-secret");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err,
            "keyward idp add: an identity provider named 'corp' exists already (keyward idp "
            "remove corp first)\n");
  EXPECT_EQ(providers(), "1");
}

TEST_F(IdpCli, AnUnreachableOrUnusableDiscoveryStoresNothing) {
  const auto down = run(add_args("corp", "http://127.0.0.1:1"), kSecret);
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("keyward idp add: the provider's discovery document could not be "
                          "fetched: GET http://127.0.0.1:1/.well-known/openid-configuration"),
            std::string::npos)
      << down.err;
  EXPECT_NE(down.err.find("--no-discovery-check"), std::string::npos);
  EXPECT_EQ(providers(), "0");

  // Our provider's discovery names its own issuer, not this one.
  const auto wrong = run(add_args("corp", upstream_.issuer() + "/tenant"), kSecret);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("is not usable"), std::string::npos) << wrong.err;
  EXPECT_EQ(providers(), "0");

  auto unchecked = add_args("corp", "http://127.0.0.1:1");
  unchecked.push_back("--no-discovery-check");
  const auto stored = run(unchecked, kSecret);
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_EQ(providers(), "1");
}

TEST_F(IdpCli, RemoveAndMissingProviders) {
  ASSERT_EQ(run(add_args("corp", upstream_.issuer()), kSecret).exit_code, 0);
  const auto removed = run({"idp", "remove", "corp"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out,
            "removed identity provider 'corp'; accounts linked to it can no longer sign in with "
            "it\n");
  EXPECT_EQ(providers(), "0");
  for (const auto& words :
       std::vector<std::vector<std::string>>{{"idp", "remove", "corp"}, {"idp", "show", "corp"}}) {
    const auto missing = run(words);
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err, "keyward idp " + words[1] + ": no identity provider 'corp'\n");
  }
  const auto none = run({"idp", "list"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "no identity providers: keyward idp add registers one\n");
  EXPECT_EQ(run({"idp", "list", "--json"}).out, "[]\n");
}

TEST_F(IdpCli, UsageErrors) {
  const auto help = run({"idp", "help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: keyward idp <command>"), std::string::npos);
  EXPECT_EQ(run({"idp"}).exit_code, 2);
  const auto unknown = run({"idp", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err.rfind("keyward idp: unknown command 'frobnicate'\n", 0), 0u);
  const auto which = run({"idp", "show"});
  EXPECT_EQ(which.exit_code, 2);
  EXPECT_EQ(which.err, "keyward idp show: which provider? usage: keyward idp show NAME\n");
  // The top-level usage names the command.
  const auto top = run({"help"});
  EXPECT_NE(top.out.find("idp add|list|show|remove"), std::string::npos);
}

}  // namespace
}  // namespace keyward::test
