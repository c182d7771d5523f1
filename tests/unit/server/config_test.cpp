// Configuration loading and validation (server/config.h), and the documentation check:
// every setting in kSettings must appear in docs/configuration.md.
#include "server/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "common/base64url.h"
#include "common/crypto.h"

namespace keyward::server {
namespace {

EnvGetter env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Config load_ok(std::map<std::string, std::string> vars) {
  auto r = load_config(env_of(std::move(vars)));
  if (!r.ok()) {
    std::string all;
    for (const auto& e : r.error()) all += e + "\n";
    ADD_FAILURE() << all;
    return Config{};
  }
  return std::move(r).value();
}

std::vector<std::string> load_errors(std::map<std::string, std::string> vars) {
  auto r = load_config(env_of(std::move(vars)));
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::vector<std::string>{} : r.error();
}

// The one error `vars` load with; empty (and a failure) when there is not exactly one.
std::string only_error(std::map<std::string, std::string> vars) {
  const auto errors = load_errors(std::move(vars));
  EXPECT_EQ(errors.size(), 1u);
  return errors.size() == 1 ? errors[0] : std::string();
}

std::string source_dir() {
  if (const char* dir = std::getenv("KEYWARD_SOURCE_DIR"); dir && *dir) return dir;
  return KEYWARD_SOURCE_DIR;
}

TEST(ConfigDocs, EverySettingIsDocumented) {
  const std::string path = source_dir() + "/docs/configuration.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const auto& s : kSettings) {
    EXPECT_NE(doc.find("`" + std::string(s.name) + "`"), std::string::npos)
        << s.name << " is missing from docs/configuration.md";
  }
}

TEST(ConfigDocs, SettingNamesAreUniqueAndPrefixed) {
  for (size_t i = 0; i < std::size(kSettings); ++i) {
    EXPECT_TRUE(kSettings[i].name.starts_with("KEYWARD_")) << kSettings[i].name;
    EXPECT_FALSE(kSettings[i].description.empty()) << kSettings[i].name;
    for (size_t j = i + 1; j < std::size(kSettings); ++j)
      EXPECT_NE(kSettings[i].name, kSettings[j].name);
  }
}

TEST(Config, Defaults) {
  const Config c = load_ok({});
  EXPECT_EQ(c.issuer, "http://localhost:8080");
  EXPECT_EQ(c.listen.host, "127.0.0.1");
  EXPECT_EQ(c.listen.port, 8081);
  EXPECT_FALSE(c.database_url.has_value());
  EXPECT_FALSE(c.master_key.has_value());
  EXPECT_EQ(c.data_dir, ".data");
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.workers, 2);
  EXPECT_EQ(c.access_token_ttl, std::chrono::seconds(600));
  EXPECT_EQ(c.refresh_token_ttl, std::chrono::seconds(2592000));
  EXPECT_EQ(c.id_token_ttl, std::chrono::seconds(600));
  EXPECT_EQ(c.code_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c.refresh_reuse_grace, std::chrono::seconds(10));
  // RFC 9700 §2.4: the password grant is off unless asked for.
  EXPECT_FALSE(c.password_grant);
  EXPECT_EQ(c.argon2_memory_kib, 19456u);
  EXPECT_EQ(c.argon2_iterations, 2u);
  EXPECT_EQ(c.argon2_parallelism, 1u);
  EXPECT_EQ(c.key_publication_delay, std::chrono::seconds(3600));
  EXPECT_EQ(c.key_rotation_interval, std::chrono::seconds(7776000));
  EXPECT_EQ(c.migrations_dir, KEYWARD_DEFAULT_MIGRATIONS_DIR);
  EXPECT_EQ(c.templates_dir, KEYWARD_DEFAULT_TEMPLATES_DIR);
  EXPECT_EQ(c.log_level, LogLevel::Info);
  EXPECT_FALSE(c.allow_insecure_issuer);
  EXPECT_TRUE(c.trusted_proxies.trusts(*http::IpAddress::parse("127.0.0.1")));
  EXPECT_TRUE(c.trusted_proxies.trusts(*http::IpAddress::parse("::1")));
  EXPECT_FALSE(c.trusted_proxies.trusts(*http::IpAddress::parse("10.0.0.1")));
  // The default issuer is plain http on localhost: accepted, with a warning.
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("plain http"), std::string::npos);
}

TEST(Config, DefaultsMatchTheTable) {
  for (const auto& s : kSettings) {
    if (s.default_value.empty()) continue;
    // Setting each variable to its documented default must load and change nothing.
    const Config c = load_ok({{std::string(s.name), std::string(s.default_value)}});
    EXPECT_EQ(c.issuer, "http://localhost:8080") << s.name;
    EXPECT_EQ(c.access_token_ttl, std::chrono::seconds(600)) << s.name;
  }
}

TEST(Config, EmptyValueMeansUnset) {
  const Config c = load_ok({{"KEYWARD_ACCESS_TOKEN_TTL", ""}, {"KEYWARD_MASTER_KEY", ""}});
  EXPECT_EQ(c.access_token_ttl, std::chrono::seconds(600));
  EXPECT_FALSE(c.master_key.has_value());
}

TEST(Config, TtlMessageSaysWhatToSet) {
  EXPECT_EQ(only_error({{"KEYWARD_ACCESS_TOKEN_TTL", "abc"}}),
            "KEYWARD_ACCESS_TOKEN_TTL must be a whole number of seconds between 60 and 86400 (got "
            "\"abc\")");
}

TEST(Config, RangeLimits) {
  EXPECT_EQ(load_ok({{"KEYWARD_ACCESS_TOKEN_TTL", "60"}}).access_token_ttl,
            std::chrono::seconds(60));
  EXPECT_EQ(load_ok({{"KEYWARD_ACCESS_TOKEN_TTL", "86400"}}).access_token_ttl,
            std::chrono::seconds(86400));
  for (const char* bad : {"59", "86401", "-60", "6e2", " 600"}) {
    EXPECT_EQ(load_errors({{"KEYWARD_ACCESS_TOKEN_TTL", bad}}).size(), 1u) << bad;
  }
  EXPECT_EQ(load_ok({{"KEYWARD_CODE_TTL", "60"}}).code_ttl, std::chrono::seconds(60));
  EXPECT_EQ(only_error({{"KEYWARD_CODE_TTL", "61"}}),
            "KEYWARD_CODE_TTL must be a whole number of seconds between 1 and 60 (got \"61\")");
  const auto session =
      load_ok({{"KEYWARD_SESSION_TTL", "7200"}, {"KEYWARD_SESSION_IDLE_TIMEOUT", "600"}});
  EXPECT_EQ(session.session_ttl, std::chrono::seconds(7200));
  EXPECT_EQ(session.session_idle_timeout, std::chrono::seconds(600));
  EXPECT_EQ(only_error({{"KEYWARD_SESSION_TTL", "600"}, {"KEYWARD_SESSION_IDLE_TIMEOUT", "601"}}),
            "KEYWARD_SESSION_IDLE_TIMEOUT must not exceed KEYWARD_SESSION_TTL");
  EXPECT_EQ(
      load_errors({{"KEYWARD_SESSION_TTL", "299"}, {"KEYWARD_SESSION_IDLE_TIMEOUT", "60"}}).size(),
      1u);
  EXPECT_EQ(load_errors({{"KEYWARD_THREADS", "0"}}).size(), 1u);
  EXPECT_EQ(load_ok({{"KEYWARD_WORKERS", "8"}}).workers, 8);
  EXPECT_EQ(load_errors({{"KEYWARD_ARGON2_MEMORY_KIB", "1024"}}).size(), 1u);
}

TEST(Config, QueueDeadline) {
  EXPECT_EQ(load_ok({}).queue_deadline, std::chrono::seconds(30));
  EXPECT_EQ(load_ok({{"KEYWARD_QUEUE_DEADLINE", "1"}}).queue_deadline, std::chrono::seconds(1));
  EXPECT_EQ(load_ok({{"KEYWARD_QUEUE_DEADLINE", "300"}}).queue_deadline, std::chrono::seconds(300));
  for (const char* bad : {"0", "301", "abc", "-5", "99999999999999999999"}) {
    const auto errors = load_errors({{"KEYWARD_QUEUE_DEADLINE", bad}});
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_NE(errors[0].find("KEYWARD_QUEUE_DEADLINE must be a whole number of seconds between 1 "
                             "and 300"),
              std::string::npos)
        << errors[0];
  }
}

TEST(Config, AuditEventsRetentionAndJanitorInterval) {
  const Config defaults = load_ok({});
  EXPECT_TRUE(defaults.events);
  EXPECT_EQ(defaults.event_retention, std::chrono::hours(24 * 90));
  EXPECT_EQ(defaults.janitor_interval, std::chrono::seconds(600));
  EXPECT_FALSE(load_ok({{"KEYWARD_EVENTS", "off"}}).events);
  EXPECT_TRUE(load_ok({{"KEYWARD_EVENTS", "on"}}).events);
  EXPECT_EQ(load_ok({{"KEYWARD_EVENT_RETENTION", "1"}}).event_retention, std::chrono::hours(24));
  EXPECT_EQ(load_ok({{"KEYWARD_EVENT_RETENTION", "3650"}}).event_retention,
            std::chrono::hours(24 * 3650));
  EXPECT_EQ(load_ok({{"KEYWARD_JANITOR_INTERVAL", "60"}}).janitor_interval,
            std::chrono::seconds(60));
  const auto only_error = [](std::map<std::string, std::string> vars) {
    const auto errors = load_errors(std::move(vars));
    return errors.size() == 1 ? errors[0] : std::string("(") + std::to_string(errors.size()) + ")";
  };
  EXPECT_EQ(only_error({{"KEYWARD_EVENTS", "true"}}),
            "KEYWARD_EVENTS must be on or off (got \"true\")");
  for (const char* bad : {"0", "3651", "7d", "-1"}) {
    EXPECT_NE(
        only_error({{"KEYWARD_EVENT_RETENTION", bad}})
            .find("KEYWARD_EVENT_RETENTION must be a whole number of days between 1 and 3650"),
        std::string::npos)
        << bad;
  }
  for (const char* bad : {"59", "86401", "10m"}) {
    EXPECT_NE(only_error({{"KEYWARD_JANITOR_INTERVAL", bad}})
                  .find("KEYWARD_JANITOR_INTERVAL must be a whole number of seconds between 60 and "
                        "86400"),
              std::string::npos)
        << bad;
  }
}

TEST(Config, AccountsAndMail) {
  const Config defaults = load_ok({});
  EXPECT_FALSE(defaults.registration_open);
  EXPECT_FALSE(defaults.smtp_url);
  EXPECT_EQ(defaults.smtp_from, "Keyward <no-reply@localhost>");
  EXPECT_EQ(defaults.mail_limit_per_hour, 5u);

  const Config c = load_ok({{"KEYWARD_REGISTRATION", "open"},
                            {"KEYWARD_ISSUER", "https://id.example.com:8443/auth"},
                            {"KEYWARD_SMTP_URL", "smtps://mail.example.com:465"},
                            {"KEYWARD_SMTP_USERNAME", "keyward"},
                            {"KEYWARD_SMTP_PASSWORD", "s3cret"},
                            {"KEYWARD_MAIL_LIMIT_PER_HOUR", "20"}});
  EXPECT_TRUE(c.registration_open);
  EXPECT_EQ(c.smtp_url, "smtps://mail.example.com:465");
  EXPECT_EQ(c.smtp_from, "Keyward <no-reply@id.example.com>");
  EXPECT_EQ(c.smtp_username, "keyward");
  EXPECT_EQ(c.smtp_password, "s3cret");
  EXPECT_EQ(c.mail_limit_per_hour, 20u);
  EXPECT_EQ(load_ok({{"KEYWARD_SMTP_FROM", "IdP <idp@example.org>"}}).smtp_from,
            "IdP <idp@example.org>");

  EXPECT_EQ(only_error({{"KEYWARD_REGISTRATION", "yes"}}),
            "KEYWARD_REGISTRATION must be open or closed (got \"yes\")");
  for (const char* bad : {"http://mail.example.com", "smtp://", "smtp://user:pw@mail.example.com",
                          "mail.example.com:25", "smtp:///x"}) {
    SCOPED_TRACE(bad);
    const std::string e = only_error({{"KEYWARD_SMTP_URL", bad}});
    EXPECT_NE(e.find("KEYWARD_SMTP_URL must be smtp://host[:port] or smtps://host[:port]"),
              std::string::npos)
        << e;
    EXPECT_EQ(e.find("pw@"), std::string::npos) << "the URL is not echoed: " << e;
  }
  EXPECT_EQ(only_error({{"KEYWARD_SMTP_FROM", "a@b.c\r\nBcc: x@y.z"}}),
            "KEYWARD_SMTP_FROM must be one line");
  EXPECT_NE(only_error({{"KEYWARD_MAIL_LIMIT_PER_HOUR", "0"}}).find("KEYWARD_MAIL_LIMIT_PER_HOUR"),
            std::string::npos);
}

TEST(Config, PasswordGrantIsOptInWithAWarning) {
  const Config on = load_ok({{"KEYWARD_PASSWORD_GRANT", "true"}});
  EXPECT_TRUE(on.password_grant);
  ASSERT_EQ(on.warnings.size(), 2u);
  EXPECT_NE(on.warnings[1].find("KEYWARD_PASSWORD_GRANT is on"), std::string::npos);
  EXPECT_FALSE(load_ok({{"KEYWARD_PASSWORD_GRANT", "no"}}).password_grant);
  EXPECT_EQ(only_error({{"KEYWARD_PASSWORD_GRANT", "sometimes"}}),
            "KEYWARD_PASSWORD_GRANT must be true or false (got \"sometimes\")");
}

TEST(Config, RefreshReuseGrace) {
  EXPECT_EQ(load_ok({{"KEYWARD_REFRESH_REUSE_GRACE", "0"}}).refresh_reuse_grace,
            std::chrono::seconds(0));
  EXPECT_EQ(load_ok({{"KEYWARD_REFRESH_REUSE_GRACE", "60"}}).refresh_reuse_grace,
            std::chrono::seconds(60));
  EXPECT_EQ(only_error({{"KEYWARD_REFRESH_REUSE_GRACE", "61"}}),
            "KEYWARD_REFRESH_REUSE_GRACE must be a whole number of seconds between 0 and 60 (got "
            "\"61\")");
}

// OWASP Password Storage Cheat Sheet, Argon2id: m=47104 (46 MiB) t=1, m=19456 (19 MiB) t=2,
// m=12288 (12 MiB) t=3, m=9216 (9 MiB) t=4, m=7168 (7 MiB) t=5. A setting is acceptable
// when its memory is at least the minimum for its iteration count.
TEST(Config, Argon2BelowOwaspMinimumPairsIsRefused) {
  const std::pair<const char*, const char*> allowed[] = {
      {"47104", "1"}, {"19456", "2"}, {"12288", "3"}, {"9216", "4"},
      {"7168", "5"},  {"7168", "16"}, {"65536", "1"}, {"19456", "3"}};
  for (const auto& [memory, iterations] : allowed) {
    const auto c =
        load_ok({{"KEYWARD_ARGON2_MEMORY_KIB", memory}, {"KEYWARD_ARGON2_ITERATIONS", iterations}});
    EXPECT_EQ(c.argon2_memory_kib, static_cast<uint32_t>(std::stoul(memory)));
    EXPECT_EQ(c.argon2_iterations, static_cast<uint32_t>(std::stoul(iterations)));
  }
  const std::pair<const char*, const char*> refused[] = {
      {"47103", "1"}, {"19455", "2"}, {"12287", "3"}, {"9215", "4"},
      {"7167", "5"},  {"8192", "1"},  {"16384", "2"}, {"7167", "16"}};
  for (const auto& [memory, iterations] : refused) {
    const auto errors = load_errors(
        {{"KEYWARD_ARGON2_MEMORY_KIB", memory}, {"KEYWARD_ARGON2_ITERATIONS", iterations}});
    ASSERT_EQ(errors.size(), 1u) << memory << " KiB, t=" << iterations;
    EXPECT_NE(errors[0].find("OWASP"), std::string::npos) << errors[0];
  }
  EXPECT_EQ(load_errors({{"KEYWARD_ARGON2_MEMORY_KIB", "8192"}, {"KEYWARD_ARGON2_ITERATIONS", "1"}})
                .at(0),
            "KEYWARD_ARGON2_MEMORY_KIB=8192 with KEYWARD_ARGON2_ITERATIONS=1 is below OWASP's "
            "minimum for Argon2id: with 1 iteration use at least 47104 KiB (46 MiB); the "
            "minimum pairs are m=47104 t=1, m=19456 t=2, m=12288 t=3, m=9216 t=4, m=7168 t=5");
  // The defaults are one of the pairs.
  const auto defaults = load_ok({});
  EXPECT_EQ(defaults.argon2_memory_kib, 19456u);
  EXPECT_EQ(defaults.argon2_iterations, 2u);
}

TEST(Config, EveryProblemIsReported) {
  const auto errors = load_errors({{"KEYWARD_THREADS", "many"},
                                   {"KEYWARD_ID_TOKEN_TTL", "1"},
                                   {"KEYWARD_LOG_LEVEL", "loud"},
                                   {"KEYWARD_ALLOW_INSECURE_ISSUER", "maybe"}});
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "KEYWARD_ALLOW_INSECURE_ISSUER must be true or false (got \"maybe\")");
  EXPECT_EQ(errors[1], "KEYWARD_THREADS must be a whole number between 1 and 64 (got \"many\")");
  EXPECT_EQ(
      errors[2],
      "KEYWARD_ID_TOKEN_TTL must be a whole number of seconds between 60 and 86400 (got \"1\")");
  EXPECT_EQ(errors[3], "KEYWARD_LOG_LEVEL must be debug, info, warn or error (got \"loud\")");
}

TEST(Config, HttpsIssuerHasNoWarning) {
  const Config c = load_ok({{"KEYWARD_ISSUER", "https://id.example.com"}});
  EXPECT_EQ(c.issuer, "https://id.example.com");
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(load_ok({{"KEYWARD_ISSUER", "https://example.com:8443/auth"}}).issuer,
            "https://example.com:8443/auth");
}

TEST(Config, InsecureIssuerRefusedUnlessAllowed) {
  EXPECT_EQ(
      only_error({{"KEYWARD_ISSUER", "http://id.example.com"}}),
      "KEYWARD_ISSUER \"http://id.example.com\" is plain http for a host other than localhost: use "
      "https, or set KEYWARD_ALLOW_INSECURE_ISSUER=true to allow it (never in production)");
  const Config c = load_ok(
      {{"KEYWARD_ISSUER", "http://id.example.com"}, {"KEYWARD_ALLOW_INSECURE_ISSUER", "true"}});
  EXPECT_EQ(c.issuer, "http://id.example.com");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("never do this in production"), std::string::npos);
}

TEST(Config, LocalHttpIssuersAccepted) {
  for (const char* issuer : {"http://localhost:8080", "http://127.0.0.1", "http://[::1]:9000"}) {
    EXPECT_EQ(load_ok({{"KEYWARD_ISSUER", issuer}}).issuer, issuer);
  }
  // Not fooled by a host that merely starts with localhost.
  EXPECT_EQ(load_errors({{"KEYWARD_ISSUER", "http://localhost.evil.example"}}).size(), 1u);
  EXPECT_EQ(load_errors({{"KEYWARD_ISSUER", "http://127.0.0.1.nip.io"}}).size(), 1u);
}

TEST(Config, MalformedIssuers) {
  for (const char* issuer :
       {"id.example.com", "ftp://id.example.com", "https://", "https://id.example.com/",
        "https://id.example.com?x=1", "https://id.example.com#f", "https://u@id.example.com",
        "https://id.example.com:0", "https://id.example.com:99999", "https://[::1"}) {
    EXPECT_EQ(load_errors({{"KEYWARD_ISSUER", issuer}}).size(), 1u) << issuer;
  }
  EXPECT_EQ(load_errors({{"KEYWARD_ISSUER", "https://id.example.com/"}})[0],
            "KEYWARD_ISSUER must not end with '/': clients compare it character for character (got "
            "\"https://id.example.com/\")");
}

TEST(Config, Listen) {
  Config c = load_ok({{"KEYWARD_LISTEN", "127.0.0.1:0"}});
  EXPECT_EQ(c.listen.port, 0);
  c = load_ok({{"KEYWARD_LISTEN", "localhost:9000"}});
  EXPECT_EQ(c.listen.host, "127.0.0.1");
  EXPECT_EQ(c.listen.to_string(), "127.0.0.1:9000");
  c = load_ok({{"KEYWARD_LISTEN", "[::1]:9000"}});
  EXPECT_EQ(c.listen.host, "::1");
  EXPECT_EQ(c.listen.to_string(), "[::1]:9000");
  for (const char* bad : {"8081", "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:x", "example.com:80",
                          "::1:80", "[::1]", "[::1]80"}) {
    auto errors = load_errors({{"KEYWARD_LISTEN", bad}});
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_TRUE(errors[0].starts_with("KEYWARD_LISTEN must be host:port")) << errors[0];
  }
}

TEST(Config, NonLoopbackListenWarnsLoudly) {
  const Config c =
      load_ok({{"KEYWARD_LISTEN", "0.0.0.0:8081"}, {"KEYWARD_ISSUER", "https://id.example.com"}});
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(
      c.warnings[0],
      "KEYWARD_LISTEN binds to 0.0.0.0:8081, which is not loopback: Pistache 0.0.5 must never face "
      "clients directly; keep nginx (the front door) in front of every instance");
  EXPECT_TRUE(load_ok({{"KEYWARD_LISTEN", "127.0.0.2:1"}, {"KEYWARD_ISSUER", "https://a.example"}})
                  .warnings.empty());
}

TEST(Config, MasterKeyHexOrBase64url) {
  const std::string bytes = random_bytes(32);
  EXPECT_EQ(load_ok({{"KEYWARD_MASTER_KEY", to_hex(bytes)}}).master_key.value(), bytes);
  EXPECT_EQ(load_ok({{"KEYWARD_MASTER_KEY", base64url_encode(bytes)}}).master_key.value(), bytes);
}

TEST(Config, BadMasterKeyIsNotQuoted) {
  const std::string secretish = to_hex(random_bytes(31));  // 62 hex characters
  const std::string error = only_error({{"KEYWARD_MASTER_KEY", secretish}});
  EXPECT_EQ(
      error,
      "KEYWARD_MASTER_KEY must be 32 bytes as base64url (43 characters) or hex (64 characters); "
      "generate one with: openssl rand -hex 32");
  EXPECT_EQ(error.find(secretish), std::string::npos);
  EXPECT_EQ(load_errors({{"KEYWARD_MASTER_KEY", std::string(64, 'g')}}).size(), 1u);
}

TEST(Config, TrustedProxies) {
  const Config c = load_ok({{"KEYWARD_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1"}});
  EXPECT_TRUE(c.trusted_proxies.trusts(*http::IpAddress::parse("10.9.9.9")));
  EXPECT_FALSE(c.trusted_proxies.trusts(*http::IpAddress::parse("127.0.0.1")));
  EXPECT_TRUE(load_ok({{"KEYWARD_TRUSTED_PROXIES", "none"}}).trusted_proxies.ranges().empty());
  EXPECT_EQ(only_error({{"KEYWARD_TRUSTED_PROXIES", "nginx"}}),
            "KEYWARD_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR "
            "blocks, or none: "
            "'nginx' is not an IP address or CIDR block");
}

TEST(Config, KeyRotation) {
  EXPECT_EQ(load_ok({{"KEYWARD_KEY_ROTATION_INTERVAL", "0"}}).key_rotation_interval,
            std::chrono::seconds(0));
  EXPECT_EQ(only_error({{"KEYWARD_KEY_ROTATION_INTERVAL", "3600"}}),
            "KEYWARD_KEY_ROTATION_INTERVAL (3600 s) must be longer than "
            "KEYWARD_KEY_PUBLICATION_DELAY (3600 s): a "
            "key must be published before the next one replaces it");
  EXPECT_EQ(load_errors({{"KEYWARD_KEY_ROTATION_INTERVAL", "60"}}).size(), 1u);
  EXPECT_EQ(
      load_ok({{"KEYWARD_KEY_ROTATION_INTERVAL", "7200"}, {"KEYWARD_KEY_PUBLICATION_DELAY", "0"}})
          .key_rotation_interval,
      std::chrono::seconds(7200));
}

TEST(Config, Booleans) {
  EXPECT_TRUE(load_ok({{"KEYWARD_ALLOW_INSECURE_ISSUER", "1"}}).allow_insecure_issuer);
  EXPECT_TRUE(load_ok({{"KEYWARD_ALLOW_INSECURE_ISSUER", "TRUE"}}).allow_insecure_issuer);
  EXPECT_FALSE(load_ok({{"KEYWARD_ALLOW_INSECURE_ISSUER", "0"}}).allow_insecure_issuer);
}

TEST(Config, DatabaseUrlRequiredOnlyWhenUsed) {
  const Config none = load_ok({});
  auto r = require_database_url(none);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().starts_with(
      "KEYWARD_DATABASE_URL is not set: set it to a PostgreSQL connection string"))
      << r.error();
  const Config some = load_ok({{"KEYWARD_DATABASE_URL", "host=/tmp dbname=keyward"}});
  EXPECT_EQ(require_database_url(some).value(), "host=/tmp dbname=keyward");
}

class MasterKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keyward-config-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(MasterKeyFile, ConfiguredKeyWinsAndWritesNothing) {
  Config c = load_ok({{"KEYWARD_MASTER_KEY", std::string(64, 'a')}});
  c.data_dir = dir_ / "data";
  auto k = resolve_master_key(c);
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_FALSE(k->development);
  EXPECT_EQ(k->bytes, std::string(32, '\xaa'));
  EXPECT_FALSE(std::filesystem::exists(c.data_dir));
}

TEST_F(MasterKeyFile, DevelopmentKeyGeneratedPrivateAndReused) {
  Config c = load_ok({});
  c.data_dir = dir_ / "nested" / "data";
  auto first = resolve_master_key(c);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_TRUE(first->development);
  EXPECT_EQ(first->bytes.size(), 32u);
  EXPECT_EQ(first->path, c.data_dir / "master.key");
  struct stat st {};
  ASSERT_EQ(::stat(first->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = resolve_master_key(c);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->bytes, first->bytes);
  // No temporary files left behind.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(c.data_dir)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(MasterKeyFile, MalformedFileIsAnError) {
  Config c = load_ok({});
  c.data_dir = dir_;
  std::ofstream(dir_ / "master.key") << "not a key\n";
  auto k = resolve_master_key(c);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.error().find("delete it to generate a new one, or set KEYWARD_MASTER_KEY"),
            std::string::npos);
}

}  // namespace
}  // namespace keyward::server
