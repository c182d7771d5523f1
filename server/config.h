#pragma once
// Configuration from KEYWARD_* environment variables. kSettings is the single source of
// every name, default and description: load_config() reads exactly these names and
// docs/configuration.md must document every one of them (a unit test checks it).
// Everything is validated at start-up with messages that say what to set.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "http/client_ip.h"

#ifndef KEYWARD_DEFAULT_MIGRATIONS_DIR
#define KEYWARD_DEFAULT_MIGRATIONS_DIR "migrations"
#endif
#ifndef KEYWARD_DEFAULT_TEMPLATES_DIR
#define KEYWARD_DEFAULT_TEMPLATES_DIR "templates"
#endif

namespace keyward::server {

struct Setting {
  std::string_view name;
  std::string_view default_value;  // "" when there is none
  std::string_view description;
};

inline constexpr Setting kSettings[] = {
    {"KEYWARD_ISSUER", "http://localhost:8080",
     "The issuer identifier (OIDC Core §2, RFC 8414 §2): the public https URL clients see, "
     "with no query, fragment or trailing slash. A plain-http issuer is refused unless its "
     "host is localhost, 127.0.0.1 or [::1], or KEYWARD_ALLOW_INSECURE_ISSUER is true."},
    {"KEYWARD_LISTEN", "127.0.0.1:8081",
     "Address and port `keyward serve` binds, as host:port or [v6]:port; port 0 picks a free "
     "port (logged). Anything but loopback logs a loud warning: Pistache must sit behind the "
     "front door."},
    {"KEYWARD_DATABASE_URL", "",
     "PostgreSQL connection string (libpq conninfo or postgresql:// URL). Required by serve "
     "and migrate."},
    {"KEYWARD_MASTER_KEY", "",
     "32 random bytes as base64url (43 characters) or hex (64 characters), e.g. `openssl rand "
     "-hex 32`. Encrypts signing keys and keys the client-secret HMAC. When unset, a "
     "development key is generated into KEYWARD_DATA_DIR/master.key with a loud warning."},
    {"KEYWARD_DATA_DIR", ".data",
     "Where the development master key is kept when KEYWARD_MASTER_KEY is unset."},
    {"KEYWARD_ALLOW_INSECURE_ISSUER", "false",
     "true allows a plain-http issuer on a host other than localhost (tests, private "
     "networks). Never in production."},
    {"KEYWARD_THREADS", "2", "Pistache reactor threads (1-64)."},
    {"KEYWARD_WORKERS", "2",
     "Worker-pool threads for database calls and password hashing (1-256)."},
    {"KEYWARD_QUEUE_DEADLINE", "30",
     "Seconds (1-300) a request may wait for a worker; one still queued after that is "
     "answered 503 and never run. Keep it at or below the front door's proxy_read_timeout "
     "(30 s in the shipped template): by then nginx has answered 504 and the client has gone."},
    {"KEYWARD_TRUSTED_PROXIES", "127.0.0.1,::1",
     "Comma-separated addresses or CIDR blocks of the proxies whose X-Forwarded-For is "
     "believed; `none` trusts nobody."},
    {"KEYWARD_ACCESS_TOKEN_TTL", "600", "Access-token lifetime in seconds (60-86400)."},
    {"KEYWARD_REFRESH_TOKEN_TTL", "2592000", "Refresh-token lifetime in seconds (60-31536000)."},
    {"KEYWARD_ID_TOKEN_TTL", "600", "ID-token lifetime in seconds (60-86400)."},
    {"KEYWARD_CODE_TTL", "60", "Authorization-code lifetime in seconds (1-60)."},
    {"KEYWARD_REFRESH_REUSE_GRACE", "10",
     "Seconds (0-60) after a refresh-token rotation during which presenting the rotated "
     "token again, while its successor is still unused, returns that same successor (a "
     "client retrying after a lost answer) instead of revoking the grant; 0 disables it."},
    {"KEYWARD_PASSWORD_GRANT", "false",
     "true enables the resource owner password credentials grant (RFC 6749 §4.3), and then "
     "only for confidential clients registered with --first-party and the password grant "
     "type; RFC 9700 §2.4 says it MUST NOT be used. Off: the token endpoint answers "
     "unsupported_grant_type and discovery does not list it."},
    {"KEYWARD_SESSION_TTL", "43200",
     "Browser-session absolute lifetime in seconds from sign-in (300-2592000)."},
    {"KEYWARD_SESSION_IDLE_TIMEOUT", "3600",
     "Seconds of inactivity after which a browser session ends (60-2592000, at most "
     "KEYWARD_SESSION_TTL)."},
    {"KEYWARD_ARGON2_MEMORY_KIB", "19456",
     "Argon2id memory per password hash in KiB (7168-4194304), at least OWASP's minimum "
     "for the iteration count: 47104 for 1, 19456 for 2, 12288 for 3, 9216 for 4, 7168 "
     "for 5 or more."},
    {"KEYWARD_ARGON2_ITERATIONS", "2", "Argon2id passes (1-16)."},
    {"KEYWARD_ARGON2_PARALLELISM", "1", "Argon2id lanes (1-16)."},
    {"KEYWARD_KEY_PUBLICATION_DELAY", "3600",
     "Seconds a new signing key is published in the JWKS before it signs (0-2592000)."},
    {"KEYWARD_KEY_ROTATION_INTERVAL", "7776000",
     "Seconds between automatic signing-key rotations; 0 never rotates, otherwise "
     "3600-315360000 and longer than KEYWARD_KEY_PUBLICATION_DELAY."},
    {"KEYWARD_REGISTRATION", "closed",
     "open lets anyone create an account at /signup (linked from the login page); closed "
     "(the default) leaves account creation to operators (`keyward user create`)."},
    {"KEYWARD_DCR", "token",
     "Dynamic client registration at POST /register (RFC 7591, docs/registration.md): token "
     "(the default) registers clients for callers holding an initial access token from "
     "`keyward registration-token create`; open lets anyone register clients that sign users "
     "in (authorization_code only, standard scopes only); off serves no /register at all."},
    {"KEYWARD_SMTP_URL", "",
     "Where account mails (verification, password reset) are sent: smtp://host[:port] "
     "(STARTTLS when the server offers it, required with credentials) or smtps://host[:port] "
     "(TLS from the start). "
     "Unset: mails wait in the outbox, unsent, with a warning at start."},
    {"KEYWARD_SMTP_FROM", "",
     "The From address of account mails, e.g. `Keyward <no-reply@id.example.com>`; "
     "default no-reply@ the issuer's host."},
    {"KEYWARD_SMTP_USERNAME", "", "SMTP user name, when the server asks for one."},
    {"KEYWARD_SMTP_PASSWORD", "", "SMTP password (never logged)."},
    {"KEYWARD_MAIL_LIMIT_PER_HOUR", "5",
     "At most this many recovery or verification mails (1-1000) per account and per "
     "requesting address in any hour; more requests are answered as usual but send nothing."},
    {"KEYWARD_EVENTS", "on",
     "on records audit events (sign-ins, tokens issued, consents, operator changes; "
     "docs/observability.md) in the `events` table, written in batches off the request path; "
     "off records none (`keyward events` and /admin/v1/events then show only older ones)."},
    {"KEYWARD_EVENT_RETENTION", "90",
     "Days (1-3650) audit events are kept; the janitor deletes older ones."},
    {"KEYWARD_JANITOR_INTERVAL", "600",
     "Seconds (60-86400) between the janitor's runs in `keyward serve` (expired tokens, "
     "codes, sessions, old audit events); the first run is a minute after start."},
    {"KEYWARD_MIGRATIONS_DIR", KEYWARD_DEFAULT_MIGRATIONS_DIR,
     "Folder of NNNN_description.sql migrations (default: the source tree's migrations/, "
     "fixed at build time)."},
    {"KEYWARD_TEMPLATES_DIR", KEYWARD_DEFAULT_TEMPLATES_DIR,
     "Folder of the HTML templates (default: the source tree's templates/, fixed at build "
     "time)."},
    {"KEYWARD_LOG_LEVEL", "info", "debug, info, warn or error."},
};

[[nodiscard]] const Setting* find_setting(std::string_view name);

struct ListenAddress {
  std::string host;  // an IP literal, without brackets
  uint16_t port = 0;
  [[nodiscard]] std::string to_string() const;  // host:port, [v6]:port
};

struct Config {
  std::string issuer;
  ListenAddress listen;
  std::optional<std::string> database_url;
  std::optional<std::string> master_key;  // 32 raw bytes when KEYWARD_MASTER_KEY is set
  std::filesystem::path data_dir;
  bool allow_insecure_issuer = false;
  int threads = 2;
  int workers = 2;
  std::chrono::seconds queue_deadline{30};
  http::TrustedProxies trusted_proxies;
  std::chrono::seconds access_token_ttl{600};
  std::chrono::seconds refresh_token_ttl{2592000};
  std::chrono::seconds id_token_ttl{600};
  std::chrono::seconds code_ttl{60};
  std::chrono::seconds refresh_reuse_grace{10};
  bool password_grant = false;
  std::chrono::seconds session_ttl{43200};
  std::chrono::seconds session_idle_timeout{3600};
  uint32_t argon2_memory_kib = 19456;
  uint32_t argon2_iterations = 2;
  uint32_t argon2_parallelism = 1;
  std::chrono::seconds key_publication_delay{3600};
  std::chrono::seconds key_rotation_interval{7776000};
  bool registration_open = false;
  // KEYWARD_DCR: who may register clients at POST /register (RFC 7591).
  enum class DcrMode { Off, Token, Open } dcr = DcrMode::Token;
  std::optional<std::string> smtp_url;  // smtp:// or smtps://
  std::string smtp_from;                // never empty once loaded
  std::optional<std::string> smtp_username;
  std::optional<std::string> smtp_password;
  uint32_t mail_limit_per_hour = 5;
  bool events = true;  // KEYWARD_EVENTS: record audit events
  std::chrono::hours event_retention{24 * 90};
  std::chrono::seconds janitor_interval{600};
  std::filesystem::path migrations_dir;
  std::filesystem::path templates_dir;
  LogLevel log_level = LogLevel::Info;

  // Accepted but unsafe settings, to be logged loudly at start.
  std::vector<std::string> warnings;
};

// Returns the value of an environment variable, or nullopt when unset. An empty value
// counts as unset (compose files often pass ${VAR:-}).
using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;
[[nodiscard]] EnvGetter process_env();

// Every problem is reported, not just the first.
[[nodiscard]] Result<Config, std::vector<std::string>> load_config(const EnvGetter& env);

// For serve and migrate: the database URL, or a message that says what to set.
[[nodiscard]] Result<std::string, std::string> require_database_url(const Config& config);

struct MasterKey {
  std::string bytes;           // 32 bytes
  bool development = false;    // generated or read from data_dir/master.key
  std::filesystem::path path;  // when development
};

// KEYWARD_MASTER_KEY, or the development key in data_dir/master.key, created (0600) when
// missing. Safe when several instances start at once: the first to link its file wins.
[[nodiscard]] Result<MasterKey, std::string> resolve_master_key(const Config& config);

// Parses 32 bytes given as base64url (43 characters) or hex (64 characters).
[[nodiscard]] std::optional<std::string> parse_master_key(std::string_view text);

}  // namespace keyward::server
