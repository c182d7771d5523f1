// `keyward client ...` and `keyward user ...` over the real binary, on a
// database of the test's own: JSON out, the secret shown once, every bad input refused
// with a message that says why; and a running `keyward serve` that sees a rotated or
// deleted client through NOTIFY.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/http/support/browser.h"
#include "tests/http/support/cli_run.h"
#include "tests/http/support/http_client.h"
#include "tests/http/support/server_process.h"
#include "tests/integration/support/test_database.h"

extern char** environ;

namespace keyward::test {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kMasterKey = "7777777777777777777777777777777777777777777777777777777777777777";

class ClientCli : public DatabaseTest {
 protected:
  Env env() {
    return {{"KEYWARD_DATABASE_URL", db().conninfo()}, {"KEYWARD_MASTER_KEY", kMasterKey}};
  }
  CliRun run(const std::vector<std::string>& args, const std::string& input = {}) {
    return run_cli(args, env(), input);
  }
  // Expects exit 2 with exactly this line on stderr and nothing on stdout.
  void expect_refused(const std::vector<std::string>& args, const std::string& message,
                      const std::string& input = {}) {
    const auto r = run(args, input);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, message + "\n");
    EXPECT_EQ(r.out, "");
  }
  std::string clients_count() { return db().scalar("SELECT count(*) FROM clients").value_or(""); }
};

TEST_F(ClientCli, CreatePrintsIdAndA256BitSecretOnce) {
  const auto r =
      run({"client", "create", "--name", "Billing service", "--grant-types", "client_credentials",
           "--scopes", "orders:read orders:write", "--audience", "https://api.example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "keyward client create: the client_secret is shown only once: store it now\n");
  const json j = r.json_out();
  const std::string id = j.at("client_id");
  const std::string secret = j.at("client_secret");
  EXPECT_EQ(id.size(), 22u);
  // Never '-' or '_' first, so `client show ID` cannot mistake it for an option.
  EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(id.front()))) << id;
  EXPECT_EQ(secret.size(), 43u);  // 256 bits, base64url
  EXPECT_EQ(
      secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(j.at("client_name"), "Billing service");
  EXPECT_EQ(j.at("client_type"), "confidential");
  EXPECT_EQ(j.at("first_party"), false);
  EXPECT_EQ(j.at("token_endpoint_auth_method"), "client_secret_basic");
  EXPECT_EQ(j.at("grant_types"), json::array({"client_credentials"}));
  EXPECT_EQ(j.at("scope"), "orders:read orders:write");
  EXPECT_EQ(j.at("audiences"), json::array({"https://api.example.com"}));
  EXPECT_EQ(j.at("redirect_uris"), json::array());

  // Stored as an HMAC, never in clear.
  EXPECT_EQ(
      db().scalar("SELECT octet_length(secret_hmac) FROM clients WHERE client_id = '" + id + "'"),
      "32");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM clients WHERE position('" + secret +
                        "' in encode(secret_hmac, 'escape')) > 0"),
            "0");

  // show and list never print it.
  const auto shown = run({"client", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out.find(secret), std::string::npos);
  EXPECT_FALSE(shown.json_out().contains("client_secret"));
  EXPECT_EQ(shown.json_out().at("client_id"), id);
  EXPECT_EQ(shown.json_out().at("scope"), "orders:read orders:write");
  // After "--" everything is an argument.
  const auto after_dashes = run({"client", "show", "--", id});
  ASSERT_EQ(after_dashes.exit_code, 0) << after_dashes.err;
  EXPECT_EQ(after_dashes.json_out(), shown.json_out());
  const auto listed = run({"client", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find(secret), std::string::npos);
  ASSERT_EQ(listed.json_out().size(), 1u);
  EXPECT_EQ(listed.json_out()[0].at("client_id"), id);
}

TEST_F(ClientCli, PublicClientHasNoSecret) {
  const auto r = run({"client", "create", "--name", "Mobile", "--grant-types",
                      "authorization_code,refresh_token", "--scopes", "openid profile", "--public",
                      "--first-party", "--redirect-uri", "com.example.app:/cb",
                      "--redirect-uri=http://127.0.0.1:8123/cb", "--post-logout-redirect-uri",
                      "com.example.app:/bye"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json j = r.json_out();
  EXPECT_FALSE(j.contains("client_secret"));
  EXPECT_EQ(j.at("client_type"), "public");
  EXPECT_EQ(j.at("first_party"), true);
  EXPECT_EQ(j.at("token_endpoint_auth_method"), "none");
  EXPECT_EQ(j.at("grant_types"), json::array({"authorization_code", "refresh_token"}));
  EXPECT_EQ(j.at("redirect_uris"),
            json::array({"com.example.app:/cb", "http://127.0.0.1:8123/cb"}));
  EXPECT_EQ(j.at("post_logout_redirect_uris"), json::array({"com.example.app:/bye"}));

  const auto rotated = run({"client", "rotate-secret", j.at("client_id")});
  EXPECT_EQ(rotated.exit_code, 2);
  EXPECT_EQ(rotated.err, "keyward client rotate-secret: client '" +
                             j.at("client_id").get<std::string>() +
                             "' is public: it has no secret to rotate\n");
}

TEST_F(ClientCli, BadInputIsRefusedWithTheReason) {
  const std::vector<std::string> base{"client", "create", "--name", "X", "--scopes", "read"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::string p = "keyward client create: ";
  expect_refused(with({"--grant-types", "implicit"}),
                 p + "unknown grant type 'implicit' (known: authorization_code, refresh_token, "
                     "client_credentials, password)");
  expect_refused(with({"--grant-types", "client_credentials", "--public"}),
                 p + "a public client cannot use client_credentials (RFC 6749 §4.4): it has no "
                     "secret to authenticate with");
  // RFC 9700 §2.4: never for a public client, first-party or not.
  expect_refused(with({"--grant-types", "password,refresh_token", "--public", "--first-party"}),
                 p + "a public client cannot use the password grant (RFC 9700 §2.4): it is only "
                     "for confidential first-party clients; use authorization_code with PKCE");
  const std::vector<std::pair<std::string, std::string>> uris{
      {"/cb", "redirect URI must be absolute: '/cb'"},
      {"https://app.example.com/cb#frag",
       "redirect URI must not contain a fragment: 'https://app.example.com/cb#frag'"},
      {"https://user:pw@app.example.com/cb",
       "redirect URI must not contain userinfo: 'https://user:pw@app.example.com/cb'"},
      {"javascript:alert(1)",
       "redirect URI scheme javascript: is not allowed: 'javascript:alert(1)'"},
      {"data:text/html,hello", "redirect URI scheme data: is not allowed: 'data:text/html,hello'"},
      {"http://app.example.com/cb",
       "redirect URI must use https (plain http only for localhost, 127.0.0.1 or [::1]): "
       "'http://app.example.com/cb'"},
  };
  for (const auto& [uri, why] : uris) {
    expect_refused(with({"--grant-types", "authorization_code", "--redirect-uri", uri}), p + why);
  }
  expect_refused(with({"--grant-types", "authorization_code"}),
                 p + "authorization_code needs at least one redirect URI: the authorization "
                     "server redirects only to registered URIs (RFC 6749 §3.1.2.2)");
  expect_refused(
      with({"--grant-types", "client_credentials", "--token-endpoint-auth-method", "none"}),
      p + "token_endpoint_auth_method none is for public clients: register the "
          "client as public, or use client_secret_basic or client_secret_post");
  expect_refused(with({"--grant-types", "client_credentials", "--colour", "red"}),
                 p + "unknown option '--colour'");
  expect_refused(with({"--grant-types"}), p + "--grant-types needs a value");
  expect_refused({"client", "create", "--name", "X", "--grant-types", "client_credentials"},
                 p + "--scopes is required");
  expect_refused(with({"--grant-types", "client_credentials", "--public=yes"}),
                 p + "--public takes no value");
  expect_refused(with({"--grant-types", "client_credentials", "--name", "Y"}),
                 p + "--name is given twice");
  expect_refused({"client", "show"},
                 "keyward client show: which client? usage: keyward client show ID");
  expect_refused({"client", "delete", "a", "b"}, "keyward client delete: unexpected argument 'b'");
  EXPECT_EQ(clients_count(), "0");

  const auto unknown = run({"client", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err.rfind("keyward client: unknown command 'frobnicate'\n", 0), 0u)
      << unknown.err;
}

TEST_F(ClientCli, UpdateMarksTheClientFirstPartyOrNot) {
  const auto created = run({"client", "create", "--name", "App", "--grant-types",
                            "password,refresh_token", "--scopes", "read"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id = created.json_out().at("client_id");
  EXPECT_EQ(created.json_out().at("first_party"), false);

  const auto marked = run({"client", "update", id, "--first-party"});
  ASSERT_EQ(marked.exit_code, 0) << marked.err;
  EXPECT_EQ(marked.json_out().at("first_party"), true);
  EXPECT_FALSE(marked.json_out().contains("client_secret"));
  EXPECT_EQ(run({"client", "show", id}).json_out().at("first_party"), true);
  EXPECT_EQ(db().scalar("SELECT first_party FROM clients"), "t");

  const auto unmarked = run({"client", "update", id, "--no-first-party"});
  ASSERT_EQ(unmarked.exit_code, 0) << unmarked.err;
  EXPECT_EQ(unmarked.json_out().at("first_party"), false);
  EXPECT_EQ(run({"client", "show", id}).json_out().at("first_party"), false);

  const std::string p = "keyward client update: ";
  expect_refused({"client", "update", id},
                 p + "say --first-party or --no-first-party (exactly one)");
  expect_refused({"client", "update", id, "--first-party", "--no-first-party"},
                 p + "say --first-party or --no-first-party (exactly one)");
  expect_refused({"client", "update", "--first-party"},
                 p + "which client? usage: keyward client update ID");
  const auto missing = run({"client", "update", "nobody", "--first-party"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, p + "no client 'nobody'\n");
}

// set-password, disable and revoke end the user's access in the same transaction: every
// live grant revoked (its access and refresh tokens die with it) and every browser
// session deleted; the output says how many.
TEST_F(ClientCli, UserRevokeSetPasswordAndDisableEndTheUsersAccess) {
  const auto created =
      run({"user", "create", "--username", "alice", "--password-stdin"}, "correct horse battery\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string alice = created.json_out().at("id");
  const auto bob =
      run({"user", "create", "--username", "bob", "--password-stdin"}, "correct horse battery\n");
  ASSERT_EQ(bob.exit_code, 0) << bob.err;
  const std::string bob_id = bob.json_out().at("id");
  const auto app =
      run({"client", "create", "--name", "App", "--grant-types", "password,refresh_token",
           "--scopes", "read offline_access", "--first-party"});
  ASSERT_EQ(app.exit_code, 0) << app.err;
  const std::string client_id = app.json_out().at("client_id");
  int n = 0;
  // Two grants of the user (one with offline_access, which survives a logout but not
  // this), a refresh token, a signed-in session; and the same for bob.
  auto seed = [&](const std::string& user) {
    for (const char* scopes : {"{read}", "{read,offline_access}"}) {
      const std::string g = "g" + std::to_string(++n);
      db().exec("INSERT INTO grants (id, client_id, user_id, scopes, expires_at) VALUES ('" + g +
                "', '" + client_id + "', '" + user + "', '" + scopes +
                "', now() + interval '1 day');"
                " INSERT INTO refresh_tokens (token_hash, grant_id, client_id, expires_at)"
                " VALUES (sha256(convert_to('" +
                g + "', 'UTF8')), '" + g + "', '" + client_id + "', now() + interval '1 day')");
    }
    db().exec(
        "INSERT INTO browser_sessions (id_hash, user_id, csrf_secret, auth_time, expires_at)"
        " VALUES (sha256(convert_to('s" +
        std::to_string(++n) + "', 'UTF8')), '" + user +
        "', decode(repeat('ab', 32), 'hex'), now(), now() + interval '1 hour')");
  };
  auto live = [&](const std::string& user) {
    return db().scalar("SELECT count(*) FROM grants WHERE revoked_at IS NULL AND user_id = '" +
                       user + "'");
  };
  auto sessions = [&](const std::string& user) {
    return db().scalar("SELECT count(*) FROM browser_sessions WHERE user_id = '" + user + "'");
  };
  seed(bob_id);
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"user", "revoke", "alice"},
        std::vector<std::string>{"user", "set-password", "alice", "--password-stdin"},
        std::vector<std::string>{"user", "disable", "alice"}}) {
    SCOPED_TRACE(command[1]);
    seed(alice);
    ASSERT_EQ(live(alice), "2");
    ASSERT_EQ(sessions(alice), "1");
    const auto r = run(command, "a brand new password\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.json_out().at("username"), "alice");
    EXPECT_EQ(r.json_out().at("revoked"), (json{{"grants", 2}, {"sessions", 1}}));
    EXPECT_EQ(live(alice), "0");
    EXPECT_EQ(sessions(alice), "0");
    EXPECT_EQ(live(bob_id), "2");
    EXPECT_EQ(sessions(bob_id), "1");
  }
  EXPECT_EQ(db().scalar("SELECT disabled FROM users WHERE username = 'alice'"), "t");
  const auto again = run({"user", "revoke", "alice"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.json_out().at("revoked"), (json{{"grants", 0}, {"sessions", 0}}));
  const auto missing = run({"user", "revoke", "nobody"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "keyward user revoke: no user 'nobody'\n");
}

TEST_F(ClientCli, RotateSecretAndDelete) {
  const auto created = run({"client", "create", "--name", "S", "--grant-types",
                            "client_credentials", "--scopes", "read"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id = created.json_out().at("client_id");
  const std::string old_secret = created.json_out().at("client_secret");
  const auto old_hmac = db().scalar("SELECT encode(secret_hmac, 'hex') FROM clients");

  const auto rotated = run({"client", "rotate-secret", id});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_EQ(rotated.json_out(),
            (json{{"client_id", id}, {"client_secret", rotated.json_out().at("client_secret")}}));
  const std::string new_secret = rotated.json_out().at("client_secret");
  EXPECT_EQ(new_secret.size(), 43u);
  EXPECT_NE(new_secret, old_secret);
  EXPECT_NE(db().scalar("SELECT encode(secret_hmac, 'hex') FROM clients"), old_hmac);

  const auto missing = run({"client", "rotate-secret", "nobody"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "keyward client rotate-secret: no client 'nobody'\n");

  const auto deleted = run({"client", "delete", id});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.json_out(), (json{{"client_id", id}, {"deleted", true}}));
  EXPECT_EQ(clients_count(), "0");
  const auto again = run({"client", "delete", id});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "keyward client delete: no client '" + id + "'\n");
  const auto show = run({"client", "show", id});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_EQ(show.err, "keyward client show: no client '" + id + "'\n");
}

// RFC 7662: which clients may introspect any access token (docs/clients.md).
TEST_F(ClientCli, IntrospectPermissionAtCreateAndBySetIntrospect) {
  const auto rs = run({"client", "create", "--name", "RS", "--grant-types", "client_credentials",
                       "--scopes", "introspect", "--introspect"});
  ASSERT_EQ(rs.exit_code, 0) << rs.err;
  EXPECT_EQ(rs.json_out().at("may_introspect"), true);
  const auto svc = run({"client", "create", "--name", "Svc", "--grant-types", "client_credentials",
                        "--scopes", "read"});
  ASSERT_EQ(svc.exit_code, 0) << svc.err;
  const std::string id = svc.json_out().at("client_id");
  EXPECT_EQ(svc.json_out().at("may_introspect"), false);

  const auto on = run({"client", "set-introspect", id, "on"});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_EQ(on.json_out().at("client_id"), id);
  EXPECT_EQ(on.json_out().at("may_introspect"), true);
  EXPECT_EQ(run({"client", "show", id}).json_out().at("may_introspect"), true);
  const auto off = run({"client", "set-introspect", id, "off"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(off.json_out().at("may_introspect"), false);
  EXPECT_EQ(db().scalar("SELECT may_introspect FROM clients WHERE client_id = '" + id + "'"), "f");

  // Only a confidential client authenticates at the introspection endpoint.
  expect_refused(
      {"client", "create", "--name", "SPA", "--grant-types", "authorization_code", "--scopes",
       "openid", "--public", "--redirect-uri", "https://spa.example/cb", "--introspect"},
      "keyward client create: a public client cannot introspect: the introspection "
      "endpoint needs a client secret");
  const auto spa =
      run({"client", "create", "--name", "SPA", "--grant-types", "authorization_code", "--scopes",
           "openid", "--public", "--redirect-uri", "https://spa.example/cb"});
  ASSERT_EQ(spa.exit_code, 0) << spa.err;
  const std::string spa_id = spa.json_out().at("client_id");
  expect_refused({"client", "set-introspect", spa_id, "on"},
                 "keyward client set-introspect: client '" + spa_id +
                     "' is public: only a confidential client can introspect");
  expect_refused({"client", "set-introspect", id, "yes"},
                 "keyward client set-introspect: usage: keyward client set-introspect ID on|off");
  const auto missing = run({"client", "set-introspect", "nobody", "on"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "keyward client set-introspect: no client 'nobody'\n");
}

TEST_F(ClientCli, NoDatabaseUrlIsAClearError) {
  const auto r = run_cli({"client", "list"}, {{"KEYWARD_DATABASE_URL", ""}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("KEYWARD_DATABASE_URL"), std::string::npos) << r.err;
}

// --- users ---------------------------------------------------------------------------

TEST_F(ClientCli, UserCreateShowDisableSetPassword) {
  const auto created =
      run({"user", "create", "--username", "Alice", "--email", "alice@example.com", "--given-name",
           "Alice", "--family-name", "Liddell", "--password-stdin"},
          "correct horse battery\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const json j = created.json_out();
  EXPECT_EQ(j.at("username"), "alice");
  EXPECT_EQ(j.at("email"), "alice@example.com");
  EXPECT_EQ(j.at("given_name"), "Alice");
  EXPECT_EQ(j.at("family_name"), "Liddell");
  EXPECT_EQ(j.at("disabled"), false);
  EXPECT_EQ(j.at("id").get<std::string>().size(), 36u);
  EXPECT_EQ(created.out.find("argon2"), std::string::npos);
  const auto hash = db().scalar("SELECT password_hash FROM users WHERE username = 'alice'");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;

  const auto shown = run({"user", "show", "ALICE"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.json_out(), j);

  const auto taken =
      run({"user", "create", "--username", "ALICE", "--password-stdin"}, "another password");
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_EQ(
      taken.err,
      "keyward user create: the username 'ALICE' is taken (usernames are case-insensitive)\n");

  const auto disabled = run({"user", "disable", "alice"});
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_EQ(disabled.json_out().at("disabled"), true);
  EXPECT_EQ(db().scalar("SELECT disabled FROM users"), "t");
  const auto enabled = run({"user", "enable", "alice"});
  ASSERT_EQ(enabled.exit_code, 0) << enabled.err;
  EXPECT_EQ(enabled.json_out().at("disabled"), false);

  const auto changed =
      run({"user", "set-password", "alice", "--password-stdin"}, "a new password\r\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(db().scalar("SELECT password_hash FROM users"), hash);

  const auto listed = run({"user", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  ASSERT_EQ(listed.json_out().size(), 1u);
  EXPECT_EQ(listed.json_out()[0].at("username"), "alice");
  EXPECT_EQ(listed.out.find("argon2"), std::string::npos);

  for (const char* sub : {"show", "disable", "enable"}) {
    const auto missing = run({"user", sub, "nobody"});
    EXPECT_EQ(missing.exit_code, 1) << sub;
    EXPECT_EQ(missing.err, std::string("keyward user ") + sub + ": no user 'nobody'\n");
  }
  const auto missing = run({"user", "set-password", "nobody", "--password-stdin"}, "long enough");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "keyward user set-password: no user 'nobody'\n");
}

TEST_F(ClientCli, UserBadInputIsRefusedWithTheReason) {
  const std::string p = "keyward user create: ";
  expect_refused({"user", "create", "--username", "bob"},
                 p + "--password-stdin is required (the password is read from standard input)");
  expect_refused({"user", "create", "--password-stdin"}, p + "--username is required",
                 "long enough");
  expect_refused({"user", "create", "--username", "bob", "--password-stdin"},
                 p + "the password from stdin must be at least 8 bytes", "short\n");
  expect_refused({"user", "create", "--username", "bob", "--password-stdin"},
                 p + "the password from stdin is longer than 1024 bytes", std::string(1025, 'x'));
  expect_refused({"user", "create", "--username", "bob smith", "--password-stdin"},
                 p + "the username contains spaces or control characters", "long enough");
  expect_refused({"user", "create", "--username", "bob", "--email", "bob", "--password-stdin"},
                 p + "'bob' is not an email address (local@domain, at most 320 bytes)",
                 "long enough");
  expect_refused({"user", "create", "--username", "bob", "--password", "hunter22"},
                 p + "unknown option '--password'");
  expect_refused({"user", "set-password", "bob"},
                 "keyward user set-password: --password-stdin is required (the password is "
                 "read from standard input)");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM users"), "0");
}

// The whole chain: the CLI changes a client, NOTIFYs, and the running server's cache
// forgets it, so the old secret stops working at once (well within the 60 s TTL).
TEST_F(ClientCli, RunningServerSeesRotationAndDeletion) {
  const auto created = run({"client", "create", "--name", "S", "--grant-types",
                            "client_credentials", "--scopes", "read"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id = created.json_out().at("client_id");
  const std::string old_secret = created.json_out().at("client_secret");

  ServerProcess server(env());
  auto token_status = [&](const std::string& secret) {
    return post(server.port(), "/token", "grant_type=client_credentials",
                "application/x-www-form-urlencoded",
                "Authorization: Basic " + base64(id + ":" + secret) + "\r\n")
        .status;
  };
  auto wait_for = [&](const std::string& secret, int status) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(15);
    int last = 0;
    while ((last = token_status(secret)) != status && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    return last;
  };
  ASSERT_EQ(wait_for(old_secret, 200), 200) << server.output();  // also waits for the keys

  const auto rotated = run({"client", "rotate-secret", id});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  const std::string new_secret = rotated.json_out().at("client_secret");
  EXPECT_EQ(wait_for(new_secret, 200), 200);
  EXPECT_EQ(token_status(old_secret), 401);

  ASSERT_EQ(run({"client", "delete", id}).exit_code, 0);
  EXPECT_EQ(wait_for(new_secret, 401), 401);
}

}  // namespace
}  // namespace keyward::test
